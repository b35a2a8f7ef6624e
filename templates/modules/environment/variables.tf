variable "name" {
  type        = string
  description = "Pipeline and CodeBuild project name, and the start of the role names: <prefix>-<environment>."
}

variable "environment" {
  type        = string
  description = "The environment's name in lambdas.yaml."
}

variable "function_patterns" {
  type        = list(string)
  description = "The environment's AWS function names, or (too many for an IAM policy) their common prefix followed by *."
}

variable "layer_patterns" {
  type        = list(string)
  description = "The environment's AWS layer names for dependencies, or their common prefix followed by *."
}

variable "shards" {
  type        = number
  description = "Shards of the Apply batch (buildspec-apply.yml's build-graph), each applying every N-th function of the plan with 1/N of the Lambda request budget, after the build that publishes the shared layers."
  validation {
    condition     = var.shards >= 1 && var.shards <= 100
    error_message = "shards is 1 to 100."
  }
}

variable "prune" {
  type        = bool
  description = "The environment prunes after a deploy (environments.<env>.prune): the role may delete versions, layer versions and artifacts."
  default     = false
}

variable "smoke" {
  type        = bool
  description = "Some function of the environment has smoke events: lci invokes each new version before its alias moves."
  default     = false
}

variable "confirm" {
  type        = bool
  description = "The environment has confirm: true: a person who sees the plan approves it before it is applied."
  default     = false
}

variable "alarm_names" {
  type        = list(string)
  description = "CloudWatch alarms lci watches while traffic shifts, of every function of the environment, as an IAM resource reads them literally (*, ? and $ written as $${*}, $${?} and $${$})."
  default     = []
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

variable "plan_buildspec" {
  type        = string
  description = "The buildspec of the Plan build (lci deploy --plan-out), inline."
}

variable "apply_buildspec" {
  type        = string
  description = "The buildspec of the Apply batch (lci apply of the plan: the shared layers, then the shards), inline."
}

variable "plan_artifact" {
  type        = string
  description = "The name of the plan artifact the Plan build hands the Apply batch (10 characters, unique to the pipeline, like source_artifact)."
}

variable "codebuild_image" {
  type        = string
  description = "CodeBuild image (x86_64) with Docker and the Node.js 22 runtime (runtime-versions in the buildspecs)."
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
  description = "CodeBuild timeout: longer than any build container of the environment's functions may run."
  default     = 30
}

variable "shared_layers" {
  type        = list(string)
  description = "The shared layers (names in lambdas.yaml) the environment's functions use: the plan role may write their caches."
  default     = []
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
  description = "Layer versions, not lci's, that the functions keep (lci needs GetLayerVersion on them)."
  default     = []
}
