-- OpenAQ batch lab: raw measurements as the ingestion Lambda inserts them.
-- Runs first (scripts here run in alphabetical order), in database `openaq`.
CREATE TABLE IF NOT EXISTS measurements (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    location    VARCHAR(255) NOT NULL,
    city        VARCHAR(128) NOT NULL,
    country     CHAR(2)      NOT NULL,
    parameter   VARCHAR(16)  NOT NULL,
    value       DOUBLE       NOT NULL,
    unit        VARCHAR(16)  NOT NULL,
    date_utc    DATETIME(3)  NOT NULL,
    date_local  VARCHAR(32)  NOT NULL,
    latitude    DOUBLE,
    longitude   DOUBLE,
    INDEX measurements_by_time (date_utc),
    INDEX measurements_by_city (city, parameter, date_utc)
);
