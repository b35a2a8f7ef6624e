# One environment: a CodePipeline V2 started by every push to its branch (or by its tags). A Plan
# build makes the environment's release plan once (lci deploy --affected --since deployed
# --plan-out, under the plan role: artifacts yes, Lambda writes no); with confirm: true a person
# approves what it says; then the Apply build, a CodeBuild batch graph under the build role (Lambda
# writes yes, artifact writes no), publishes the plan's shared layers once and applies the plan in
# shards, side by side.

locals {
  arn           = "arn:${var.partition}"
  lambda_arn    = "${local.arn}:lambda:${var.region}:${var.account_id}"
  function_arns = [for p in var.function_patterns : "${local.lambda_arn}:function:${p}"]
  layer_arns    = [for p in var.layer_patterns : "${local.lambda_arn}:layer:${p}"]
  bucket_arn    = "${local.arn}:s3:::${var.artifacts_bucket}"
  # What lci writes in S3 for these functions: their artifacts, this environment's layer caches and its shared layers' caches.
  write_prefixes = concat(
    [for p in var.function_patterns : "${local.bucket_arn}/${var.iam_artifacts_prefix}/${p}/*"],
    [for p in var.function_patterns : "${local.bucket_arn}/${var.iam_artifacts_prefix}/_lci/deps/${var.environment}/${p}/*"],
    [for l in var.shared_layers : "${local.bucket_arn}/${var.iam_artifacts_prefix}/_lci/layers/${var.environment}/${l}/*"],
  )
  cache_location     = "${var.artifacts_bucket}/${var.artifacts_prefix}/_lci/codebuild-cache/${var.name}"
  iam_cache_location = "${var.artifacts_bucket}/${var.iam_artifacts_prefix}/_lci/codebuild-cache/${var.name}"
  log_group          = "/aws/codebuild/${var.name}"
  # the projects' ARNs from their names: known at plan, so plans show the roles' policies whole
  project_arn      = "${local.arn}:codebuild:${var.region}:${var.account_id}:project/${var.name}"
  plan_project     = "${var.name}-plan"
  plan_project_arn = "${local.arn}:codebuild:${var.region}:${var.account_id}:project/${local.plan_project}"
  tags             = merge(var.tags, { lci-environment = var.environment })
  # A plan that writes nothing (nothing to release, nothing affected, every function intact) is
  # neither approved nor applied: the stage is skipped.
  plan_writes = {
    name     = "PlanWrites"
    variable = "#{PlanVariables.LCI_PLAN_WRITES}"
  }
}

resource "aws_cloudwatch_log_group" "build" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

# lci deploy --affected --since deployed --plan-out: the environment's plan, made once.
resource "aws_codebuild_project" "plan" {
  name          = local.plan_project
  description   = "lci deploy --env ${var.environment} --affected --since deployed --plan-out: the environment's release plan"
  service_role  = aws_iam_role.plan.arn
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
    image           = var.codebuild_image
    type            = "LINUX_CONTAINER"
    privileged_mode = true # lci builds dependency layers in Docker

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

# lci apply of the plan, as a batch graph: the shared layers, then the shards (buildspec-apply.yml).
# It builds nothing and may write no artifact: its cache stays on the build host (LOCAL).
resource "aws_codebuild_project" "deploy" {
  name          = var.name
  description   = "lci apply: the plan of ${var.environment}, its shared layers then ${var.shards} shards"
  service_role  = aws_iam_role.codebuild.arn
  build_timeout = var.build_timeout_minutes
  tags          = local.tags

  artifacts {
    type = "CODEPIPELINE"
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = var.apply_buildspec
  }

  environment {
    compute_type    = var.compute_type
    image           = var.codebuild_image
    type            = "LINUX_CONTAINER"
    privileged_mode = false

    environment_variable {
      name  = "LCI_CONFIG"
      value = var.config_path
    }
    environment_variable {
      name  = "LCI_PLAN_ARTIFACT"
      value = var.plan_artifact
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

  # The builds of buildspec-apply.yml's graph run as one batch: the layers, then the shards.
  build_batch_config {
    service_role      = aws_iam_role.batch.arn
    combine_artifacts = false
    timeout_in_mins   = var.build_timeout_minutes

    restrictions {
      maximum_builds_allowed = var.shards + 1
      compute_types_allowed  = [var.compute_type]
    }
  }

  cache {
    type  = "LOCAL"
    modes = ["LOCAL_CUSTOM_CACHE"]
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

  # Every push to the branch (or every tag): lci deploy --affected decides which functions changed.
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

  stage {
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
        ProjectName = aws_codebuild_project.plan.name
        # The branch and commit of this run: lci deploy --only-matching-ref plans only a commit
        # that belongs to the environment (a run on creation or by hand may carry any head).
        EnvironmentVariables = jsonencode([
          { name = "LCI_SOURCE_BRANCH", value = "#{SourceVariables.BranchName}", type = "PLAINTEXT" },
          { name = "LCI_SOURCE_COMMIT", value = "#{SourceVariables.CommitId}", type = "PLAINTEXT" },
        ])
      }
    }
  }

  # confirm: true in lambdas.yaml: a person approves what the plan says before it is applied.
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
          CustomData         = "Release to ${var.environment} at commit #{PlanVariables.LCI_PLAN_COMMIT}: #{PlanVariables.LCI_PLAN_SUMMARY}. The link opens the Plan build, whose log shows the plan function by function."
          ExternalEntityLink = "#{PlanVariables.LCI_PLAN_LINK}"
        }
      }
    }
  }

  stage {
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
        ProjectName      = aws_codebuild_project.deploy.name
        PrimarySource    = var.source_artifact # the checkout of the planned commit; the plan is $CODEBUILD_SRC_DIR_<plan artifact>
        BatchEnabled     = "true"              # the build-graph of buildspec-apply.yml: the layers, then the shards
        CombineArtifacts = "false"
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
  artifacts                 = [var.source_artifact, var.plan_artifact]
  connection_arn            = var.connection_arn
  codebuild_project_arns    = [local.plan_project_arn, local.project_arn]
  batch_project_arn         = local.project_arn
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
