# What every lci pipeline has, in either layout: CodePipeline's service role (its artifacts, the
# source connection, its CodeBuild projects) and the Slack notifications of its runs.

locals {
  bucket_arn = "arn:${var.partition}:s3:::${var.artifacts_bucket}"
  # CodePipeline stores an artifact under <first 20 characters of the pipeline name>/<first 10 of
  # the artifact's name>/: two pipelines may share the 20 characters (QA and prod of one long
  # function name), never an artifact's name, so each role writes only its own artifacts.
  pipeline_artifacts = [for a in var.artifacts : "${local.bucket_arn}/${substr(var.name, 0, 20)}/${a}/*"]
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codepipeline.amazonaws.com"]
    }
  }
}

# IAM is global: the region in the name keeps one config applied in two regions apart.
resource "aws_iam_role" "codepipeline" {
  name               = "${var.name}-${var.region}-pipeline"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "codepipeline" {
  statement {
    sid       = "Artifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = local.pipeline_artifacts
  }

  statement {
    sid       = "ArtifactBucket"
    actions   = ["s3:GetBucketVersioning", "s3:GetBucketLocation"]
    resources = [local.bucket_arn]
  }

  statement {
    sid       = "UseConnection" # connections made since 2024 are codeconnections; older ones codestar-connections
    actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection"]
    resources = [var.connection_arn]
  }

  statement {
    sid       = "RunBuild"
    actions   = ["codebuild:StartBuild", "codebuild:BatchGetBuilds"]
    resources = var.codebuild_project_arns
  }

  # A batch build (the environment layout's Apply) is started and read with its own actions.
  dynamic "statement" {
    for_each = var.batch_project_arn == "" ? [] : [var.batch_project_arn]
    content {
      sid       = "RunBatch"
      actions   = ["codebuild:StartBuildBatch", "codebuild:BatchGetBuildBatches"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "codepipeline" {
  name   = "lci-pipeline"
  role   = aws_iam_role.codepipeline.id
  policy = data.aws_iam_policy_document.codepipeline.json
}

resource "aws_codestarnotifications_notification_rule" "info" {
  count          = var.chatbot_info_channel_arn == "" ? 0 : 1
  name           = "${var.name}-info"
  resource       = var.pipeline_arn
  detail_type    = "BASIC"
  event_type_ids = ["codepipeline-pipeline-pipeline-execution-started", "codepipeline-pipeline-pipeline-execution-succeeded"]
  tags           = var.tags

  target {
    type    = "AWSChatbotSlack"
    address = var.chatbot_info_channel_arn
  }
}

resource "aws_codestarnotifications_notification_rule" "alert" {
  count          = var.chatbot_alert_channel_arn == "" ? 0 : 1
  name           = "${var.name}-alert"
  resource       = var.pipeline_arn
  detail_type    = "FULL"
  event_type_ids = ["codepipeline-pipeline-pipeline-execution-failed"]
  tags           = var.tags

  target {
    type    = "AWSChatbotSlack"
    address = var.chatbot_alert_channel_arn
  }
}
