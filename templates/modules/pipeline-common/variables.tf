variable "name" {
  type        = string
  description = "The pipeline's name; its role is <name>-<region>-pipeline."
}

variable "region" {
  type        = string
  description = "The AWS region of the pipeline."
}

variable "partition" {
  type        = string
  description = "The AWS partition (aws, aws-cn, aws-us-gov)."
}

variable "artifacts" {
  type        = list(string)
  description = "The names of the pipeline's artifacts (the source's and the plan's; 10 characters each, unique to the pipeline): their key prefixes in the bucket."
}

variable "artifacts_bucket" {
  type        = string
  description = "S3 bucket of the pipeline's artifacts."
}

variable "connection_arn" {
  type        = string
  description = "CodeStar (CodeConnections) connection to the repository."
}

variable "codebuild_project_arns" {
  type        = list(string)
  description = "The CodeBuild projects the pipeline runs."
}

variable "batch_project_arn" {
  type        = string
  description = "The project the pipeline runs as a batch build (the environment layout's Apply); empty for none."
  default     = ""
}

variable "pipeline_arn" {
  type        = string
  description = "The pipeline whose runs are notified."
}

variable "chatbot_info_channel_arn" {
  type        = string
  description = "AWS Chatbot Slack channel for started/succeeded; empty for none."
}

variable "chatbot_alert_channel_arn" {
  type        = string
  description = "AWS Chatbot Slack channel for failures; empty for none."
}

variable "tags" {
  type        = map(string)
  description = "Tags for the role and the notification rules."
}
