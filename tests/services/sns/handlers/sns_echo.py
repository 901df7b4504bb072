"""A Lambda handler for the SNS tests: returns the event it was invoked with."""


def handler(event, context):
    return event
