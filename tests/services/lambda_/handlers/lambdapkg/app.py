"""A handler inside a package ("lambdapkg.app:handler" / AWS's "lambdapkg/app.handler")."""


def handler(event, context):
    return {"module": __name__}
