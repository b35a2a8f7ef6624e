# Least privilege for a whole environment: Lambda and S3 actions only on its functions and layers,
# named one by one, or by their common prefix when there are more than an IAM policy holds (see
# function_patterns); no "*" resource on any S3 or Lambda action. The plan role writes artifacts
# and reads Lambda, never writes it; the build role (the Apply batch's) writes Lambda and may not
# write the artifacts it applies.

# Who may assume the build roles (builds and the batch): the CodeBuild service. The pipeline's role is in pipeline-common.
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
  name               = "${var.name}-${var.region}-plan"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}

locals {
  # environments.<env>.prune: DeleteFunction only on versions (qualified ARNs), so the role can never
  # delete a function itself; ListAliases to see every alias a version may serve.
  prune_statements = [
    { sid = "PruneVersions", actions = ["lambda:DeleteFunction"], resources = [for a in local.function_arns : "${a}:*"] },
    { sid = "PruneReadAliases", actions = ["lambda:ListAliases"], resources = local.function_arns },
    { sid = "PruneLayerVersions", actions = ["lambda:DeleteLayerVersion"], resources = [for a in local.layer_arns : "${a}:*"] },
    { sid = "PruneArtifacts", actions = ["s3:DeleteObject"], resources = local.write_prefixes },
  ]
  # A versioned bucket (codeStorage: reference): prune deletes the artifacts' object versions themselves.
  prune_version_statements = [
    { sid = "PruneArtifactVersions", actions = ["s3:DeleteObjectVersion"], resources = local.write_prefixes },
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
    sid       = "UseLayers" # attaching a layer version needs GetLayerVersion on it; other layers the functions keep too
    actions   = ["lambda:GetLayerVersion"]
    resources = concat([for a in local.layer_arns : "${a}:*"], var.extra_layer_version_arns)
  }
}

# The Plan build: the artifacts and its plan, and Lambda only to read what serves.
data "aws_iam_policy_document" "plan" {
  source_policy_documents = [data.aws_iam_policy_document.build.json]

  statement {
    sid       = "WriteFunctionArtifacts"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = concat(local.write_prefixes, ["${local.arn}:s3:::${local.iam_cache_location}/*"])
  }

  statement {
    sid       = "WritePlan" # the build's output artifact, where CodePipeline keeps this pipeline's plan
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn}/${substr(var.name, 0, 20)}/${var.plan_artifact}/*"]
  }

  statement {
    sid       = "ReadFunctions"
    actions   = ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListVersionsByFunction", "lambda:GetAlias", "lambda:ListAliases", "lambda:ListTags"]
    resources = concat(local.function_arns, [for a in local.function_arns : "${a}:*"])
  }

  statement {
    sid       = "ReadLayers"
    actions   = ["lambda:ListLayerVersions"]
    resources = local.layer_arns
  }
}

resource "aws_iam_role_policy" "plan" {
  name   = "lci-plan"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan.json
}

# The Apply batch's builds: Lambda writes; no artifact write (prune may delete).
data "aws_iam_policy_document" "codebuild" {
  source_policy_documents = [data.aws_iam_policy_document.build.json]

  statement {
    sid = "ReleaseFunctions"
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
    resources = concat(local.function_arns, [for a in local.function_arns : "${a}:*"])
  }

  statement {
    sid       = "MarkShifts" # lci tags a function while its alias shifts traffic, and only with its own keys
    actions   = ["lambda:TagResource", "lambda:UntagResource"]
    resources = local.function_arns
    condition {
      test     = "ForAllValues:StringLike"
      variable = "aws:TagKeys"
      values   = ["lci:shifting:*"]
    }
  }

  statement {
    sid       = "PublishLayers"
    actions   = ["lambda:PublishLayerVersion", "lambda:ListLayerVersions"]
    resources = local.layer_arns
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
    for_each = var.smoke ? [local.function_arns] : []
    content {
      sid       = "SmokeTest" # lci invokes each new version (qualified ARN) before its alias moves
      actions   = ["lambda:InvokeFunction"]
      resources = [for a in statement.value : "${a}:*"]
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

# The batch build's own role: it starts, stops and retries the builds of the Apply graph, of this project only.
resource "aws_iam_role" "batch" {
  name               = "${var.name}-${var.region}-batch"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "batch" {
  statement {
    sid       = "RunShards"
    actions   = ["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:RetryBuild"]
    resources = [local.project_arn]
  }
}

resource "aws_iam_role_policy" "batch" {
  name   = "lci-batch"
  role   = aws_iam_role.batch.id
  policy = data.aws_iam_policy_document.batch.json
}
