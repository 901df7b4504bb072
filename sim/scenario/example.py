"""A complete scenario using every part of the schema: shown in the reference, parsed by tests."""

EXAMPLE = """\
name: noaa-weather
description: NOAA observations through Kinesis into DynamoDB, with a flaky consumer.
seed: 42
region: us-east-1
account_id: "123456789012"

clock:
  start: 2021-11-01T00:00:00Z
  duration: 1h30m
  speed: null                  # as fast as possible

resources:
  streams:
    - name: weather
      shards: 2
      retention_hours: 48
      tags: {team: data}
    - name: weather-audit
      mode: ON_DEMAND
  tables:
    - name: observations
      partition_key: station:S
      sort_key: {name: ts, type: N}
      stream_view_type: NEW_AND_OLD_IMAGES
      global_secondary_indexes:
        - name: by-date
          partition_key: date
          sort_key: temp:N
          projection: KEYS_ONLY
      items:
        - {station: USW00094728, ts: 0, temp: 11.5, date: "2021-10-31"}
    - name: totals
      partition_key: date
      billing_mode: PROVISIONED
      read_capacity: 5
      write_capacity: 5
  buckets:
    - name: weather-archive
      policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: firehose.amazonaws.com}
            Action: s3:PutObject
            Resource: arn:aws:s3:::weather-archive/*
  queues:
    - name: alerts-dlq
      visibility_timeout: 60
    - name: ordered.fifo
      fifo: true
  topics:
    - name: alerts
      subscriptions:
        - {protocol: sqs, endpoint: alerts-dlq}
        - {protocol: email, endpoint: ops@example.com, auto_confirm: true}

producers:
  - name: stations
    type: noaa
    target: {stream: weather}
    rate: 10/s
    start: 0
    stop: 1h
    batch: 100
    params: {stations: 25}

functions:
  - name: store-observation
    handler: consumers.weather:handler
    timeout: 30
    memory: 256
    env: {TABLE: observations}
    role:
      policies:
        - name: write-observations
          document:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [dynamodb:PutItem, dynamodb:UpdateItem]
                Resource: "*"
    triggers:
      - kinesis:
          stream: weather
          batch_size: 500
          starting_position: TRIM_HORIZON
          maximum_batching_window: 5s
          maximum_retry_attempts: 3
          maximum_record_age: 3600
  - name: audit
    handler: consumers.audit:handler
    triggers:
      - kinesis:
          stream: weather-audit
          starting_position: AT_TIMESTAMP
          starting_position_timestamp: 2021-10-31T23:30:00Z

faults:
  - function_error:
      function: store-observation
      start: 10m
      end: 20m
      probability: 0.5
  - stream_throttle:
      stream: weather
      start: 40m
      end: 45m

expect:
  - name: every record is stored once
    duplicates: {table: observations, by: [station, ts]}
    equals: 0
  - count: {table: observations}
    at_least: 1000
  - name: nothing lost
    ledger: lost
    equals: 0
  - item:
      table: observations
      key: {station: USW00094728, ts: 0}
      attribute: temp
    between: [-50, 60]
  - name: hottest station
    query:
      table: observations
      index: by-date
      key_condition: "#d = :day"
      names: {"#d": date}
      values: {":day": "2021-11-01"}
      project: station
      max_by: temp
    equals: USW00094728
  - stream: {stream: weather}
    at_most: 40000
  - invocations: {function: store-observation, outcome: error}
    at_least: 1
"""
