# Least privilege, scoped like the original aws-lambda-ci policy: no "*" resource on any S3 or
# Lambda action; S3 writes only under this function's prefix (and the shared layer cache). With
# confirm, two roles: the plan role writes artifacts and reads Lambda, never writes it; the build
# role (the Apply build's) writes Lambda and may not write the artifacts it applies.

# Who may assume the build role: the CodeBuild service. The pipeline's role is in pipeline-common.
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
  }
}

# IAM is global: the region in the name keeps one config applied in two regions apart.
resource "aws_iam_role" "codebuild" {
  name               = "${var.name}-${var.region}-build"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}

resource "aws_iam_role" "plan" {
  count              = var.confirm ? 1 : 0
  name               = "${var.name}-${var.region}-plan"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}

locals {
  # environments.<env>.prune: DeleteFunction only on versions (qualified ARNs), so the role can never
  # delete the function itself; ListAliases to see every alias a version may serve.
  prune_statements = [
    { sid = "PruneVersions", actions = ["lambda:DeleteFunction"], resources = ["${local.function_arn}:*"] },
    { sid = "PruneReadAliases", actions = ["lambda:ListAliases"], resources = [local.function_arn] },
    { sid = "PruneLayerVersions", actions = ["lambda:DeleteLayerVersion"], resources = ["${local.layer_arn}:*"] },
    {
      sid       = "PruneArtifacts"
      actions   = ["s3:DeleteObject"]
      resources = ["${local.bucket_arn}/${var.iam_artifacts_prefix}/${var.function_name}/*", "${local.bucket_arn}/${var.iam_artifacts_prefix}/_lci/deps/${var.environment}/${var.function_name}/*"]
    },
  ]
  # A versioned bucket (codeStorage: reference): prune deletes the artifacts' object versions themselves.
  prune_version_statements = [
    {
      sid       = "PruneArtifactVersions"
      actions   = ["s3:DeleteObjectVersion"]
      resources = ["${local.bucket_arn}/${var.iam_artifacts_prefix}/${var.function_name}/*", "${local.bucket_arn}/${var.iam_artifacts_prefix}/_lci/deps/${var.environment}/${var.function_name}/*"]
    },
  ]
}

# What every build of this pipeline reads: its log group, the bucket, the repository connection, the layers.
data "aws_iam_policy_document" "build" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.arn}:logs:${var.region}:${var.account_id}:log-group:${local.log_group}", "${local.arn}:logs:${var.region}:${var.account_id}:log-group:${local.log_group}:*"]
  }

  statement {
    sid       = "ReadArtifacts" # lci's, and the pipeline's (the source, the plan)
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${local.bucket_arn}/*"]
  }

  statement {
    sid       = "ListArtifacts" # a missing object is a 404, not a 403
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.bucket_arn]
  }

  # codeStorage: reference: lci deploy checks the bucket keeps versions; prune lists them to delete by VersionId.
  dynamic "statement" {
    for_each = var.versioned_artifacts ? [1] : []
    content {
      sid       = "ArtifactVersions"
      actions   = ["s3:GetBucketVersioning", "s3:ListBucketVersions"]
      resources = [local.bucket_arn]
    }
  }

  statement {
    sid       = "UseConnection" # connections made since 2024 are codeconnections; older ones codestar-connections
    actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection"]
    resources = [var.connection_arn]
  }

  statement {
    sid       = "UseLayers" # attaching a layer version needs GetLayerVersion on it; other layers the function keeps too
    actions   = ["lambda:GetLayerVersion"]
    resources = concat(["${local.layer_arn}:*"], [for a in local.shared_layer_arns : "${a}:*"], var.extra_layer_version_arns)
  }
}

# What the build that makes the artifacts writes: the Deploy build's, or with confirm the Plan build's.
data "aws_iam_policy_document" "write_artifacts" {
  statement {
    sid     = "WriteFunctionArtifacts"
    actions = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = [
      "${local.bucket_arn}/${var.iam_artifacts_prefix}/${var.function_name}/*",
      # Only this pipeline's own layer cache: no other pipeline can change what it publishes.
      "${local.bucket_arn}/${var.iam_artifacts_prefix}/_lci/deps/${var.environment}/${var.function_name}/*",
      "${local.arn}:s3:::${local.iam_cache_location}/*",
    ]
  }

  # The caches of the shared layers this function uses, in this environment only: every pipeline
  # that may write one may publish that layer itself.
  dynamic "statement" {
    for_each = length(var.shared_layers) > 0 ? [var.shared_layers] : []
    content {
      sid       = "WriteSharedLayerCaches"
      actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
      resources = [for l in statement.value : "${local.bucket_arn}/${var.iam_artifacts_prefix}/_lci/layers/${var.environment}/${l.name}/*"]
    }
  }
}

# The Plan build (confirm): the artifacts and its plan, and Lambda only to read: what serves, and
# what prune would delete after the release (the plan lists it).
data "aws_iam_policy_document" "plan" {
  source_policy_documents = [data.aws_iam_policy_document.build.json, data.aws_iam_policy_document.write_artifacts.json]

  statement {
    sid       = "WritePlan" # the build's output artifact, where CodePipeline keeps this pipeline's plan
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn}/${substr(var.name, 0, 20)}/${var.plan_artifact}/*"]
  }

  statement {
    sid       = "ReadFunction"
    actions   = ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListVersionsByFunction", "lambda:GetAlias", "lambda:ListAliases", "lambda:ListTags"]
    resources = [local.function_arn, "${local.function_arn}:*"]
  }

  statement {
    sid       = "ReadLayers" # its own dependency layer, and the shared layers it uses
    actions   = ["lambda:ListLayerVersions"]
    resources = concat([local.layer_arn], local.shared_layer_arns)
  }
}

resource "aws_iam_role_policy" "plan" {
  count  = var.confirm ? 1 : 0
  name   = "lci-plan"
  role   = aws_iam_role.plan[0].id
  policy = data.aws_iam_policy_document.plan.json
}

# The Deploy build, or with confirm the Apply build, which writes no artifact (prune may delete).
data "aws_iam_policy_document" "codebuild" {
  source_policy_documents = concat(
    [data.aws_iam_policy_document.build.json],
    var.confirm ? [] : [data.aws_iam_policy_document.write_artifacts.json],
  )

  statement {
    sid = "ReleaseFunction"
    actions = [
      "lambda:GetFunction",
      "lambda:GetFunctionConfiguration",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:PublishVersion",
      "lambda:ListVersionsByFunction",
      "lambda:GetAlias",
      "lambda:CreateAlias",
      "lambda:UpdateAlias",
      "lambda:ListTags", # GetFunction returns the tags only with it: a shift in progress is marked there
    ]
    resources = [local.function_arn, "${local.function_arn}:*"]
  }

  statement {
    sid       = "MarkShifts" # lci tags a function while its alias shifts traffic, and only with its own keys
    actions   = ["lambda:TagResource", "lambda:UntagResource"]
    resources = [local.function_arn]
    condition {
      test     = "ForAllValues:StringLike"
      variable = "aws:TagKeys"
      values   = ["lci:shifting:*"]
    }
  }

  statement {
    sid       = "PublishLayer" # its own dependency layer, and the shared layers it uses
    actions   = ["lambda:PublishLayerVersion", "lambda:ListLayerVersions"]
    resources = concat([local.layer_arn], local.shared_layer_arns)
  }

  dynamic "statement" {
    for_each = [for s in local.prune_statements : s if var.prune]
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  dynamic "statement" {
    for_each = [for s in local.prune_version_statements : s if var.prune && var.versioned_artifacts]
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  dynamic "statement" {
    for_each = length(var.alarm_names) > 0 ? [var.alarm_names] : []
    content {
      sid       = "WatchAlarms"
      actions   = ["cloudwatch:DescribeAlarms"]
      resources = [for a in statement.value : "${local.arn}:cloudwatch:${var.region}:${var.account_id}:alarm:${a}"]
    }
  }

  dynamic "statement" {
    for_each = var.smoke ? [local.function_arn] : []
    content {
      sid       = "SmokeTest" # lci invokes each new version (qualified ARN) before its alias moves
      actions   = ["lambda:InvokeFunction"]
      resources = ["${statement.value}:*"]
    }
  }

  dynamic "statement" {
    for_each = var.slack_webhook_parameter_arn == "" ? [] : [var.slack_webhook_parameter_arn]
    content {
      sid       = "ReadSlackWebhook"
      actions   = ["ssm:GetParameters"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "codebuild" {
  name   = "lci-deploy"
  role   = aws_iam_role.codebuild.id
  policy = data.aws_iam_policy_document.codebuild.json
}
