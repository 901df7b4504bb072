-- OpenAQ batch lab: every five minutes, the air quality per city and parameter over the last
-- three hours, one row per (city, parameter, window_end) in `aggregates`.
--
-- window_end is the firing instant truncated to its five-minute boundary (MariaDB's scheduler
-- may run an event a second late), so it equals the end of the Flink job's HOP(5 min, 3 h)
-- window; the window holds the measurements with window_end - 3 h <= date_utc < window_end.
-- UNIX_TIMESTAMP() and NOW() read the same statement start, in whole seconds.
-- Everything is UTC: the session's time_zone is '+00:00', and an event keeps the zone it was
-- created in. Firing twice for the same window replaces the row (ON DUPLICATE KEY UPDATE).
--
-- With docker compose this script creates the event and turns MariaDB's scheduler on (it is
-- off by default). streamlab does not create the event in a simulation: it fires the body on
-- its simulated clock with NOW() set to the simulated instant (docs/databases.md).
SET time_zone = '+00:00';
SET GLOBAL event_scheduler = ON;

CREATE EVENT IF NOT EXISTS aggregate_last_three_hours
    ON SCHEDULE EVERY 5 MINUTE
    COMMENT 'OpenAQ: avg/min/max/count per city and parameter over the last 3 hours'
    DO
        INSERT INTO aggregates
            (city, parameter, window_start, window_end,
             avg_value, min_value, max_value, measurements)
        SELECT m.city, m.parameter, w.window_start, w.window_end,
               AVG(m.value), MIN(m.value), MAX(m.value), COUNT(*)
        FROM (
            SELECT NOW() - INTERVAL (UNIX_TIMESTAMP() % 300) SECOND - INTERVAL 3 HOUR
                       AS window_start,
                   NOW() - INTERVAL (UNIX_TIMESTAMP() % 300) SECOND AS window_end
        ) AS w, measurements AS m
        WHERE m.date_utc >= w.window_start AND m.date_utc < w.window_end
        GROUP BY m.city, m.parameter, w.window_start, w.window_end
        ON DUPLICATE KEY UPDATE
            window_start = VALUES(window_start),
            avg_value = VALUES(avg_value),
            min_value = VALUES(min_value),
            max_value = VALUES(max_value),
            measurements = VALUES(measurements);
