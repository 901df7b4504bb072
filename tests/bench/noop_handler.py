"""The function of the Kinesis trigger benchmark: takes the event, does nothing."""


def handler(event, context):
    return None
