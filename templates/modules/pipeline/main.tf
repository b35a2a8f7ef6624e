# One function in one environment: a CodePipeline V2 started by pushes (or tags) that touch the
# function, a CodeBuild project that runs `lci deploy`, least-privilege roles, notifications.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  function_arn = "arn:aws:lambda:${local.region}:${local.account_id}:function:${var.function_name}"
  layer_arn    = "arn:aws:lambda:${local.region}:${local.account_id}:layer:${var.layer_name}"
  bucket_arn   = "arn:aws:s3:::${var.artifacts_bucket}"
  # CodePipeline stores artifacts under the first 20 characters of the pipeline name.
  pipeline_artifacts = "${local.bucket_arn}/${substr(var.name, 0, 20)}/*"
  cache_location     = "${var.artifacts_bucket}/${var.artifacts_prefix}/_lci/codebuild-cache/${var.name}"
}

resource "aws_codebuild_project" "deploy" {
  name          = var.name
  description   = "lci deploy ${var.function_key} --env ${var.environment}"
  service_role  = aws_iam_role.codebuild.arn
  build_timeout = var.build_timeout_minutes

  artifacts {
    type = "CODEPIPELINE"
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = var.buildspec
  }

  environment {
    compute_type    = var.compute_type
    image           = var.codebuild_image
    type            = "LINUX_CONTAINER"
    privileged_mode = true # lci builds dependency layers in Docker

    environment_variable {
      name  = "LCI_FUNCTION"
      value = var.function_key
    }
    environment_variable {
      name  = "LCI_ENV"
      value = var.environment
    }
    environment_variable {
      name  = "LCI_CONFIG"
      value = var.config_path
    }
    dynamic "environment_variable" {
      for_each = var.slack_webhook_parameter_name == "" ? [] : [var.slack_webhook_parameter_name]
      content {
        name  = "SLACK_WEBHOOK_URL"
        type  = "PARAMETER_STORE"
        value = environment_variable.value
      }
    }
  }

  cache {
    type     = "S3"
    location = local.cache_location
  }

  logs_config {
    cloudwatch_logs {
      group_name = "/aws/codebuild/${var.name}"
    }
  }
}

resource "aws_codepipeline" "deploy" {
  name           = var.name
  role_arn       = aws_iam_role.codepipeline.arn
  pipeline_type  = "V2"
  execution_mode = "QUEUED" # two runs never overlap

  artifact_store {
    location = var.artifacts_bucket
    type     = "S3"
  }

  trigger {
    provider_type = "CodeStarSourceConnection"
    git_configuration {
      source_action_name = "Source"
      push {
        dynamic "branches" {
          for_each = var.trigger_kind == "branch" ? [var.trigger_pattern] : []
          content {
            includes = [branches.value]
          }
        }
        dynamic "tags" {
          for_each = var.trigger_kind == "tag" ? [var.trigger_pattern] : []
          content {
            includes = [tags.value]
          }
        }
        dynamic "file_paths" {
          for_each = length(var.file_paths) > 0 ? [var.file_paths] : []
          content {
            includes = file_paths.value
          }
        }
      }
    }
  }

  stage {
    name = "Source"
    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      output_artifacts = ["source"]
      configuration = {
        ConnectionArn        = var.connection_arn
        FullRepositoryId     = var.repository_id
        BranchName           = var.source_branch
        OutputArtifactFormat = "CODEBUILD_CLONE_REF" # a git clone: lci plans from history
        DetectChanges        = "false"               # the trigger above decides
      }
    }
  }

  stage {
    name = "Deploy"
    action {
      name            = "Deploy"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["source"]
      configuration = {
        ProjectName = aws_codebuild_project.deploy.name
      }
    }
  }
}

resource "aws_codestarnotifications_notification_rule" "info" {
  count          = var.chatbot_info_channel_arn == "" ? 0 : 1
  name           = "${var.name}-info"
  resource       = aws_codepipeline.deploy.arn
  detail_type    = "BASIC"
  event_type_ids = ["codepipeline-pipeline-pipeline-execution-started", "codepipeline-pipeline-pipeline-execution-succeeded"]

  target {
    type    = "AWSChatbotSlack"
    address = var.chatbot_info_channel_arn
  }
}

resource "aws_codestarnotifications_notification_rule" "alert" {
  count          = var.chatbot_alert_channel_arn == "" ? 0 : 1
  name           = "${var.name}-alert"
  resource       = aws_codepipeline.deploy.arn
  detail_type    = "FULL"
  event_type_ids = ["codepipeline-pipeline-pipeline-execution-failed"]

  target {
    type    = "AWSChatbotSlack"
    address = var.chatbot_alert_channel_arn
  }
}
