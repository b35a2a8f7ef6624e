variable "function_name" {
  type        = string
  description = "The AWS function name."
}

variable "role_arn" {
  type        = string
  description = "The function's execution role."
}

variable "runtime" {
  type        = string
  description = "Lambda runtime identifier."
}

variable "handler" {
  type        = string
  description = "Lambda handler."
}

variable "architecture" {
  type        = string
  description = "x86_64 or arm64."
}

variable "aliases" {
  type        = list(string)
  description = "One alias per environment that deploys to this function."
}

variable "tags" {
  type        = map(string)
  description = "Tags of the function."
  default     = {}
}
