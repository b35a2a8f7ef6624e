# A "codeless" function: Terraform owns the function and its aliases; lci owns the code, the
# layers and where each alias points. Terraform starts it from a placeholder and never looks back.

resource "aws_lambda_function" "this" {
  function_name = var.function_name
  role          = var.role_arn
  runtime       = var.runtime
  handler       = var.handler
  architectures = [var.architecture]
  filename      = "${path.module}/placeholder.zip" # written by lci generate, the same bytes every time
  publish       = false
  tags          = var.tags

  lifecycle {
    ignore_changes = [filename, s3_bucket, s3_key, s3_object_version, source_code_hash, layers]
  }
}

resource "aws_lambda_alias" "this" {
  for_each         = toset(var.aliases)
  name             = each.value
  function_name    = aws_lambda_function.this.function_name
  function_version = "$LATEST"

  lifecycle {
    ignore_changes = [function_version, routing_config]
  }
}
