-- OpenAQ batch lab: the air quality per city and parameter over the last three hours,
-- recomputed every five minutes (the scheduled aggregation writes one row per window).
CREATE TABLE IF NOT EXISTS aggregates (
    city          VARCHAR(128) NOT NULL,
    parameter     VARCHAR(16)  NOT NULL,
    window_start  DATETIME(3)  NOT NULL,
    window_end    DATETIME(3)  NOT NULL,
    avg_value     DOUBLE       NOT NULL,
    min_value     DOUBLE       NOT NULL,
    max_value     DOUBLE       NOT NULL,
    measurements  INT          NOT NULL,
    PRIMARY KEY (city, parameter, window_end)
);
