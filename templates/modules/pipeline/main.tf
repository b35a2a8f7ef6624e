# One function in one environment: a CodePipeline V2 started by pushes (or tags) that touch the
# function, CodeBuild projects that run lci, least-privilege roles, notifications. Without confirm,
# one build runs `lci deploy`; with confirm: true, a Plan build (`lci deploy --plan-out`, its own
# role, no Lambda write), a Manual approval that shows the plan, and an Apply build (`lci apply` of
# that plan, no artifact write).

locals {
  arn                = "arn:${var.partition}"
  function_arn       = "${local.arn}:lambda:${var.region}:${var.account_id}:function:${var.function_name}"
  layer_arn          = "${local.arn}:lambda:${var.region}:${var.account_id}:layer:${var.layer_name}"
  shared_layer_arns  = [for l in var.shared_layers : "${local.arn}:lambda:${var.region}:${var.account_id}:layer:${l.layer_name}"]
  bucket_arn         = "${local.arn}:s3:::${var.artifacts_bucket}"
  cache_location     = "${var.artifacts_bucket}/${var.artifacts_prefix}/_lci/codebuild-cache/${var.name}"
  iam_cache_location = "${var.artifacts_bucket}/${var.iam_artifacts_prefix}/_lci/codebuild-cache/${var.name}"
  log_group          = "/aws/codebuild/${var.name}"
  # the projects' ARNs from their names: known at plan, so plans show the pipeline role's policy whole
  project_arn      = "${local.arn}:codebuild:${var.region}:${var.account_id}:project/${var.name}"
  plan_project     = "${var.name}-plan"
  plan_project_arn = "${local.arn}:codebuild:${var.region}:${var.account_id}:project/${local.plan_project}"
  arm64            = var.architecture == "arm64"
  tags             = merge(var.tags, { lci-function = var.function_key, lci-environment = var.environment })
  # What the Plan and Deploy builds know of the function; the Apply build reads all of it from the plan.
  function_variables = {
    LCI_FUNCTION = var.function_key
    LCI_ENV      = var.environment
    LCI_CONFIG   = var.config_path
    LCI_STRATEGY = var.strategy
  }
  # The branch and commit of this run: lci deploy --only-matching-ref releases only a commit that
  # belongs to the environment (a run on creation or by hand may carry any head).
  # A plan that writes nothing (nothing to release, the function intact) is neither approved nor
  # applied: the stage is skipped.
  plan_writes = {
    name     = "PlanWrites"
    variable = "#{PlanVariables.LCI_PLAN_WRITES}"
  }
  source_variables = jsonencode([
    { name = "LCI_SOURCE_BRANCH", value = "#{SourceVariables.BranchName}", type = "PLAINTEXT" },
    { name = "LCI_SOURCE_COMMIT", value = "#{SourceVariables.CommitId}", type = "PLAINTEXT" },
  ])
}

resource "aws_cloudwatch_log_group" "build" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

# lci deploy (without confirm), or lci apply of the approved plan (confirm: true), which builds
# nothing and may write no artifact: its cache stays on the build host (LOCAL), not in S3.
resource "aws_codebuild_project" "deploy" {
  name          = var.name
  description   = var.confirm ? "lci apply: the approved plan of ${var.function_key} in ${var.environment}" : "lci deploy ${var.function_key} --env ${var.environment}"
  service_role  = aws_iam_role.codebuild.arn
  build_timeout = var.build_timeout_minutes
  tags          = local.tags

  artifacts {
    type = "CODEPIPELINE"
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = var.confirm ? var.apply_buildspec : var.buildspec
  }

  environment {
    compute_type    = var.compute_type
    image           = local.arm64 ? var.codebuild_image_arm64 : var.codebuild_image
    type            = local.arm64 ? "ARM_CONTAINER" : "LINUX_CONTAINER" # arm64 layers build natively
    privileged_mode = !var.confirm                                      # lci deploy builds dependency layers in Docker

    dynamic "environment_variable" {
      for_each = var.confirm ? { LCI_CONFIG = var.config_path, LCI_PLAN_ARTIFACT = var.plan_artifact } : local.function_variables
      content {
        name  = environment_variable.key
        value = environment_variable.value
      }
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
    type     = var.confirm ? "LOCAL" : "S3"
    location = var.confirm ? null : local.cache_location
    modes    = var.confirm ? ["LOCAL_CUSTOM_CACHE"] : null
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.build.name
    }
  }
}

# confirm: true: lci deploy --plan-out, under the plan role (artifacts yes, Lambda writes no).
resource "aws_codebuild_project" "plan" {
  count         = var.confirm ? 1 : 0
  name          = local.plan_project
  description   = "lci deploy ${var.function_key} --env ${var.environment} --plan-out: the plan to approve"
  service_role  = aws_iam_role.plan[0].arn
  build_timeout = var.build_timeout_minutes
  tags          = local.tags

  artifacts {
    type = "CODEPIPELINE"
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = var.plan_buildspec
  }

  environment {
    compute_type    = var.compute_type
    image           = local.arm64 ? var.codebuild_image_arm64 : var.codebuild_image
    type            = local.arm64 ? "ARM_CONTAINER" : "LINUX_CONTAINER"
    privileged_mode = true

    dynamic "environment_variable" {
      for_each = local.function_variables
      content {
        name  = environment_variable.key
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

  dynamic "stage" {
    for_each = var.confirm ? [] : [1]
    content {
      name = "Deploy"
      action {
        name            = "Deploy"
        category        = "Build"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        input_artifacts = [var.source_artifact]
        configuration = {
          ProjectName          = aws_codebuild_project.deploy.name
          EnvironmentVariables = local.source_variables
        }
      }
    }
  }

  # confirm: true in lambdas.yaml: Plan, then a person approves what the plan says, then Apply.
  dynamic "stage" {
    for_each = var.confirm ? [1] : []
    content {
      name = "Plan"
      action {
        name             = "Plan"
        category         = "Build"
        owner            = "AWS"
        provider         = "CodeBuild"
        version          = "1"
        namespace        = "PlanVariables" # what buildspec-plan.yml exports
        input_artifacts  = [var.source_artifact]
        output_artifacts = [var.plan_artifact]
        configuration = {
          ProjectName          = one(aws_codebuild_project.plan[*].name)
          EnvironmentVariables = local.source_variables
        }
      }
    }
  }

  dynamic "stage" {
    for_each = var.confirm ? [1] : []
    content {
      name = "Approve"
      before_entry {
        condition {
          result = "SKIP"
          rule {
            name = local.plan_writes.name
            rule_type_id {
              category = "Rule"
              owner    = "AWS"
              provider = "VariableCheck"
              version  = "1"
            }
            configuration = { Variable = local.plan_writes.variable, Operator = "EQ", Value = "yes" }
          }
        }
      }
      action {
        name     = "Approve"
        category = "Approval"
        owner    = "AWS"
        provider = "Manual"
        version  = "1"
        configuration = {
          CustomData         = "Release ${var.function_key} to ${var.environment} at commit #{PlanVariables.LCI_PLAN_COMMIT}: #{PlanVariables.LCI_PLAN_SUMMARY}. The link opens the Plan build, whose log shows the plan function by function."
          ExternalEntityLink = "#{PlanVariables.LCI_PLAN_LINK}"
        }
      }
    }
  }

  dynamic "stage" {
    for_each = var.confirm ? [1] : []
    content {
      name = "Apply"
      before_entry {
        condition {
          result = "SKIP"
          rule {
            name = local.plan_writes.name
            rule_type_id {
              category = "Rule"
              owner    = "AWS"
              provider = "VariableCheck"
              version  = "1"
            }
            configuration = { Variable = local.plan_writes.variable, Operator = "EQ", Value = "yes" }
          }
        }
      }
      action {
        name            = "Apply"
        category        = "Build"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        input_artifacts = [var.source_artifact, var.plan_artifact]
        configuration = {
          ProjectName   = aws_codebuild_project.deploy.name
          PrimarySource = var.source_artifact # the checkout of the planned commit; the plan is $CODEBUILD_SRC_DIR_<plan artifact>
        }
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
  connection_arn            = var.connection_arn
  codebuild_project_arns    = var.confirm ? [local.plan_project_arn, local.project_arn] : [local.project_arn]
  artifacts                 = var.confirm ? [var.source_artifact, var.plan_artifact] : [var.source_artifact]
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
