-- The same table over the newline-delimited (and gzipped) objects.
CREATE EXTERNAL TABLE wildrydes_fixed (
  Name string,
  StatusTime timestamp,
  Latitude float,
  Longitude float,
  Distance float,
  HealthPoints int,
  MagicPoints int
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION 's3://wildrydes-data/delimited/'
