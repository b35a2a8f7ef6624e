variable "name" {
  type        = string
  description = "Pipeline and CodeBuild project name, and the start of the role names: <prefix>-<function>-<environment>."
}

variable "function_key" {
  type        = string
  description = "The function's name in lambdas.yaml."
}

variable "environment" {
  type        = string
  description = "The environment's name in lambdas.yaml."
}

variable "function_name" {
  type        = string
  description = "The AWS function name in this environment."
}

variable "layer_name" {
  type        = string
  description = "The AWS layer name of the function's dependencies in this environment."
}

variable "shared_layers" {
  type = list(object({
    name       = string
    layer_name = string
  }))
  description = "The shared layers (lambdas.yaml layers:) the function uses: their name in lambdas.yaml and their AWS name in this environment. The pipeline may publish them and write only their caches."
  default     = []
}

variable "prune" {
  type        = bool
  description = "The environment prunes after a deploy (environments.<env>.prune): the role may delete versions, layer versions and artifacts."
  default     = false
}

variable "alarm_names" {
  type        = list(string)
  description = "CloudWatch alarms lci watches while traffic shifts, as an IAM resource reads them literally (*, ? and $ written as $${*}, $${?} and $${$})."
  default     = []
}

variable "smoke" {
  type        = bool
  description = "Smoke events are configured: lci invokes each new version before its alias moves."
  default     = false
}

variable "confirm" {
  type        = bool
  description = "The environment has confirm: true: each run is planned (lci deploy --plan-out), approved by a person who sees the plan, then applied (lci apply)."
  default     = false
}

variable "config_path" {
  type        = string
  description = "lambdas.yaml, relative to the repository root."
}

variable "trigger_kind" {
  type        = string
  description = "branch or tag."
  validation {
    condition     = contains(["branch", "tag"], var.trigger_kind)
    error_message = "trigger_kind is branch or tag."
  }
}

variable "trigger_pattern" {
  type        = string
  description = "The branch or tag glob."
}

variable "push_filters" {
  type = list(object({
    includes = list(string)
    excludes = list(string)
  }))
  description = "1 to 3 push filters of at most 8 file path patterns each (no includes: every push of the branch; tag triggers have one, empty)."
  validation {
    condition     = length(var.push_filters) >= 1 && length(var.push_filters) <= 3 && alltrue([for f in var.push_filters : length(f.includes) <= 8 && length(f.excludes) <= 8])
    error_message = "CodePipeline takes 1 to 3 push filters of at most 8 file path includes and 8 excludes."
  }
}

variable "source_branch" {
  type        = string
  description = "Branch of the source action (triggers pick the revision)."
}

variable "connection_arn" {
  type        = string
  description = "CodeStar (CodeConnections) connection to the repository."
}

variable "repository_id" {
  type        = string
  description = "owner/repository."
}

variable "versioned_artifacts" {
  type        = bool
  description = "The artifacts bucket keeps object versions (an environment stores code by reference, codeStorage: reference): the role reads its versioning and, when it prunes, deletes object versions."
  default     = false
}

variable "artifacts_bucket" {
  type        = string
  description = "S3 bucket of lci's artifacts and of the pipeline's."
}

variable "artifacts_prefix" {
  type        = string
  description = "lci's key prefix in the bucket."
}

variable "iam_artifacts_prefix" {
  type        = string
  description = "artifacts_prefix as an IAM resource reads it literally: *, ? and $ written as $${*}, $${?} and $${$}."
}

variable "source_artifact" {
  type        = string
  description = "The name of the pipeline's source artifact (10 characters, unique to the pipeline): CodePipeline stores it under <first 20 characters of the name>/<this>/."
}

variable "buildspec" {
  type        = string
  description = "The buildspec of the Deploy build (lci deploy), inline."
}

variable "plan_buildspec" {
  type        = string
  description = "With confirm: the buildspec of the Plan build (lci deploy --plan-out), inline."
}

variable "apply_buildspec" {
  type        = string
  description = "With confirm: the buildspec of the Apply build (lci apply of the plan), inline."
}

variable "plan_artifact" {
  type        = string
  description = "With confirm: the name of the plan artifact the Plan build hands the Apply build (10 characters, unique to the pipeline, like source_artifact)."
}

variable "codebuild_image" {
  type        = string
  description = "CodeBuild image (x86_64) with Docker and the Node.js 22 runtime (runtime-versions in the buildspecs)."
}

variable "codebuild_image_arm64" {
  type        = string
  description = "CodeBuild image (aarch64) for arm64 functions."
}

variable "architecture" {
  type        = string
  description = "The function's architecture: arm64 builds on an ARM_CONTAINER."
  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture is x86_64 or arm64."
  }
}

variable "strategy" {
  type        = string
  description = "lci deploy --strategy: all-at-once, canary:PCT:MIN or linear:PCT:MIN."
  default     = "all-at-once"
}

variable "account_id" {
  type        = string
  description = "The AWS account of the pipeline and the function."
}

variable "region" {
  type        = string
  description = "The AWS region of the pipeline and the function."
}

variable "partition" {
  type        = string
  description = "The AWS partition (aws, aws-cn, aws-us-gov)."
  default     = "aws"
}

variable "log_retention_days" {
  type        = number
  description = "Days the CodeBuild logs are kept."
  default     = 30
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource."
  default     = {}
}

variable "compute_type" {
  type        = string
  description = "CodeBuild compute type."
  default     = "BUILD_GENERAL1_SMALL"
}

variable "build_timeout_minutes" {
  type        = number
  description = "CodeBuild timeout: lci generate sets the longest build.timeout of the function and its shared layers plus 15 minutes, at least 30, so lci stops a hanging build before CodeBuild does."
  default     = 30
}

variable "chatbot_info_channel_arn" {
  type        = string
  description = "AWS Chatbot Slack channel for started/succeeded; empty for none."
  default     = ""
}

variable "chatbot_alert_channel_arn" {
  type        = string
  description = "AWS Chatbot Slack channel for failures; empty for none."
  default     = ""
}

variable "slack_webhook_env" {
  type        = string
  description = "The environment variable lci reads the Slack webhook URL from (notify.slack.webhookEnv)."
  default     = "SLACK_WEBHOOK_URL"
}

variable "slack_webhook_parameter_name" {
  type        = string
  description = "SSM SecureString parameter holding lci's Slack webhook URL; empty for none."
  default     = ""
}

variable "slack_webhook_parameter_arn" {
  type        = string
  description = "ARN of that parameter."
  default     = ""
}

variable "extra_layer_version_arns" {
  type        = list(string)
  description = "Layer versions, not lci's, that the function keeps (lci needs GetLayerVersion on them)."
  default     = []
}
