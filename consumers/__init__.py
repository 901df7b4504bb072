"""Lambda handlers, each a module exactly as it would be deployed to AWS Lambda (never imports sim)."""
