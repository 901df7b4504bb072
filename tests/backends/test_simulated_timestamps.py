"""Timestamps stamped by the passive stores follow the simulated clock."""

from datetime import UTC, datetime


def test_s3_last_modified_and_dynamodb_stream_times_follow_the_clock(cloud):
    cloud.advance(3600)
    expected = datetime.fromtimestamp(cloud.clock.now, UTC)

    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="stamps")
    s3.put_object(Bucket="stamps", Key="k", Body=b"x")
    assert s3.head_object(Bucket="stamps", Key="k")["LastModified"] == expected

    dynamodb = cloud.client("dynamodb")
    dynamodb.create_table(
        TableName="t",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    cloud.advance(90)
    dynamodb.put_item(TableName="t", Item={"k": {"S": "a"}})
    streams = cloud.client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    record = streams.get_records(ShardIterator=iterator)["Records"][0]
    created = record["dynamodb"]["ApproximateCreationDateTime"]
    assert created.timestamp() == cloud.clock.now

    kinesis = cloud.client("kinesis")
    kinesis.create_stream(StreamName="s", ShardCount=1)
    cloud.advance(1.25)
    kinesis.put_record(StreamName="s", Data=b"d", PartitionKey="p")
    iterator = kinesis.get_shard_iterator(
        StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    arrival = kinesis.get_records(ShardIterator=iterator)["Records"][0][
        "ApproximateArrivalTimestamp"
    ]
    assert arrival.timestamp() == cloud.clock.now
