variable "name" {
  type        = string
  description = "Pipeline, project and role name prefix: <function>-<environment>."
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

variable "alarm_names" {
  type        = list(string)
  description = "CloudWatch alarms lci watches while traffic shifts."
  default     = []
}

variable "smoke" {
  type        = bool
  description = "Smoke events are configured: lci invokes each new version before its alias moves."
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

variable "file_paths" {
  type        = list(string)
  description = "Repository paths whose changes start the pipeline (at most 8); empty: every push."
  default     = []
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

variable "artifacts_bucket" {
  type        = string
  description = "S3 bucket of lci's artifacts and of the pipeline's."
}

variable "artifacts_prefix" {
  type        = string
  description = "lci's key prefix in the bucket."
}

variable "buildspec" {
  type        = string
  description = "The buildspec, inline."
}

variable "codebuild_image" {
  type        = string
  description = "CodeBuild image with Node.js 20 or later and Docker."
}

variable "compute_type" {
  type        = string
  description = "CodeBuild compute type."
  default     = "BUILD_GENERAL1_SMALL"
}

variable "build_timeout_minutes" {
  type        = number
  description = "CodeBuild timeout."
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
