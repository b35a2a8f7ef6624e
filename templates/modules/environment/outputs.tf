output "pipeline_name" {
  value = aws_codepipeline.deploy.name
}

output "codebuild_role_arn" {
  value = aws_iam_role.codebuild.arn
}
