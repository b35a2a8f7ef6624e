variable "codestar_connection_arn" {
  type        = string
  description = "ARN of the CodeConnections (formerly CodeStar Connections) connection to the repository."
}

variable "repository_id" {
  type        = string
  description = "The repository, as owner/name."
}

variable "default_branch" {
  type        = string
  description = "Branch the source actions of tag environments (and of branch environments with a wildcard glob) name; the triggers pick the revision that runs."
  default     = "main"
}

variable "artifacts_bucket" {
  type        = string
  description = "S3 bucket for lci's artifacts and the pipelines' (artifacts.bucket in lambdas.yaml)."
  default     = "{{BUCKET}}"
}

variable "codebuild_image" {
  type        = string
  description = "CodeBuild image (x86_64) with Node.js 20 or later and Docker."
  default     = "aws/codebuild/standard:7.0"
}

variable "codebuild_image_arm64" {
  type        = string
  description = "CodeBuild image (aarch64, ARM_CONTAINER) for arm64 functions, so their layers build natively."
  default     = "aws/codebuild/amazonlinux-aarch64-standard:3.0"
}

variable "log_retention_days" {
  type        = number
  description = "Days the CodeBuild logs of each pipeline are kept."
  default     = 30
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource, added to lci's own (managed-by = lambda-ci, lci-config)."
  default     = {}
}

variable "chatbot_info_channel_arn" {
  type        = string
  description = "AWS Chatbot Slack channel configuration ARN for started and succeeded runs; empty for none."
  default     = ""
}

variable "chatbot_alert_channel_arn" {
  type        = string
  description = "AWS Chatbot Slack channel configuration ARN for failed runs; empty for none."
  default     = ""
}

variable "slack_webhook_url" {
  type        = string
  description = "Slack incoming webhook for lci's own deploy summaries; stored as an SSM SecureString. Empty for none."
  default     = ""
  sensitive   = true
}

variable "extra_layer_version_arns" {
  type        = list(string)
  description = "Layer versions that are not lci's but stay attached to the functions (lci needs GetLayerVersion on them)."
  default     = []
}
