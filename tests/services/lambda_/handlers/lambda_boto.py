"""Uses boto3's default session, as deployed handlers do."""

import boto3


def handler(event, context):
    sts = boto3.client("sts")
    identity = sts.get_caller_identity()
    credentials = boto3.DEFAULT_SESSION.get_credentials()
    return {
        "region": sts.meta.region_name,
        "account": identity["Account"],
        "session_id": id(boto3.DEFAULT_SESSION),
        "access_key": credentials.access_key,
    }
