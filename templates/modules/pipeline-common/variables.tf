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

variable "source_artifact" {
  type        = string
  description = "The name of the pipeline's source artifact (10 characters, unique to the pipeline): its key prefix in the bucket."
}

variable "artifacts_bucket" {
  type        = string
  description = "S3 bucket of the pipeline's artifacts."
}

variable "connection_arn" {
  type        = string
  description = "CodeStar (CodeConnections) connection to the repository."
}

variable "codebuild_project_arn" {
  type        = string
  description = "The CodeBuild project the pipeline runs."
}

variable "batch" {
  type        = bool
  description = "The project runs as a batch build (the environment layout's shards)."
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
