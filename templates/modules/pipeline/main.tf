# One function in one environment: a CodePipeline V2 started by pushes (or tags) that touch the
# function, a CodeBuild project that runs `lci deploy`, least-privilege roles, notifications.

locals {
  arn                = "arn:${var.partition}"
  function_arn       = "${local.arn}:lambda:${var.region}:${var.account_id}:function:${var.function_name}"
  layer_arn          = "${local.arn}:lambda:${var.region}:${var.account_id}:layer:${var.layer_name}"
  shared_layer_arns  = [for l in var.shared_layers : "${local.arn}:lambda:${var.region}:${var.account_id}:layer:${l.layer_name}"]
  bucket_arn         = "${local.arn}:s3:::${var.artifacts_bucket}"
  cache_location     = "${var.artifacts_bucket}/${var.artifacts_prefix}/_lci/codebuild-cache/${var.name}"
  iam_cache_location = "${var.artifacts_bucket}/${var.iam_artifacts_prefix}/_lci/codebuild-cache/${var.name}"
  log_group          = "/aws/codebuild/${var.name}"
  # the project's ARN from its name: known at plan, so plans show the pipeline role's policy whole
  project_arn = "${local.arn}:codebuild:${var.region}:${var.account_id}:project/${var.name}"
  arm64       = var.architecture == "arm64"
  tags        = merge(var.tags, { lci-function = var.function_key, lci-environment = var.environment })
}

resource "aws_cloudwatch_log_group" "build" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_codebuild_project" "deploy" {
  name          = var.name
  description   = "lci deploy ${var.function_key} --env ${var.environment}"
  service_role  = aws_iam_role.codebuild.arn
  build_timeout = var.build_timeout_minutes
  tags          = local.tags

  artifacts {
    type = "CODEPIPELINE"
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = var.buildspec
  }

  environment {
    compute_type    = var.compute_type
    image           = local.arm64 ? var.codebuild_image_arm64 : var.codebuild_image
    type            = local.arm64 ? "ARM_CONTAINER" : "LINUX_CONTAINER" # arm64 layers build natively
    privileged_mode = true                                              # lci builds dependency layers in Docker

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
    environment_variable {
      name  = "LCI_STRATEGY"
      value = var.strategy
    }
    dynamic "environment_variable" {
      for_each = var.slack_webhook_parameter_name == "" ? [] : [var.slack_webhook_parameter_name]
      content {
        name  = var.slack_webhook_env
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
      group_name = aws_cloudwatch_log_group.build.name
    }
  }
}

resource "aws_codepipeline" "deploy" {
  name           = var.name
  role_arn       = module.common.role_arn
  pipeline_type  = "V2"
  execution_mode = "QUEUED" # two runs never overlap
  tags           = local.tags

  artifact_store {
    location = var.artifacts_bucket
    type     = "S3"
  }

  trigger {
    provider_type = "CodeStarSourceConnection"
    git_configuration {
      source_action_name = "Source"
      # Up to 3 filters, ORed: one per 8 file paths, all on the same branch; or one on the tag glob.
      dynamic "push" {
        for_each = var.push_filters
        content {
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
            for_each = length(push.value.includes) > 0 ? [push.value] : []
            content {
              includes = file_paths.value.includes
              excludes = length(file_paths.value.excludes) > 0 ? file_paths.value.excludes : null
            }
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
      namespace        = "SourceVariables"
      output_artifacts = [var.source_artifact]
      configuration = {
        ConnectionArn        = var.connection_arn
        FullRepositoryId     = var.repository_id
        BranchName           = var.source_branch
        OutputArtifactFormat = "CODEBUILD_CLONE_REF" # a git clone with tags: lci plans from history
        DetectChanges        = "false"               # the trigger above decides
      }
    }
  }

  # confirm: true in lambdas.yaml: a person approves before the deploy runs (lci deploy gets --yes).
  dynamic "stage" {
    for_each = var.confirm ? [1] : []
    content {
      name = "Approve"
      action {
        name     = "Approve"
        category = "Approval"
        owner    = "AWS"
        provider = "Manual"
        version  = "1"
        configuration = {
          CustomData = "Deploy ${var.function_name} to ${var.environment}?"
        }
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
      input_artifacts = [var.source_artifact]
      configuration = {
        ProjectName = aws_codebuild_project.deploy.name
        # The branch and commit of this run: lci deploy --only-matching-ref releases only a commit
        # that belongs to the environment (a run on creation or by hand may carry any head).
        EnvironmentVariables = jsonencode([
          { name = "LCI_SOURCE_BRANCH", value = "#{SourceVariables.BranchName}", type = "PLAINTEXT" },
          { name = "LCI_SOURCE_COMMIT", value = "#{SourceVariables.CommitId}", type = "PLAINTEXT" },
        ])
      }
    }
  }
}

module "common" {
  source                    = "../pipeline-common"
  name                      = var.name
  region                    = var.region
  partition                 = var.partition
  artifacts_bucket          = var.artifacts_bucket
  source_artifact           = var.source_artifact
  connection_arn            = var.connection_arn
  codebuild_project_arn     = local.project_arn
  batch                     = false
  pipeline_arn              = aws_codepipeline.deploy.arn
  chatbot_info_channel_arn  = var.chatbot_info_channel_arn
  chatbot_alert_channel_arn = var.chatbot_alert_channel_arn
  tags                      = local.tags
}

# Where these lived before they moved into pipeline-common: applied state follows them, nothing is replaced.
moved {
  from = aws_iam_role.codepipeline
  to   = module.common.aws_iam_role.codepipeline
}

moved {
  from = aws_iam_role_policy.codepipeline
  to   = module.common.aws_iam_role_policy.codepipeline
}

moved {
  from = aws_codestarnotifications_notification_rule.info
  to   = module.common.aws_codestarnotifications_notification_rule.info
}

moved {
  from = aws_codestarnotifications_notification_rule.alert
  to   = module.common.aws_codestarnotifications_notification_rule.alert
}
