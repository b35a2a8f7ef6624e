import type { Tree } from './files.js';

/**
 * Repositories shaped like real ones, for lci init: a SAM app with nested stacks, Globals, a shared
 * layer and a TypeScript function; a Serverless Framework service; a Terraform module with
 * archive_file. Each comes with the commits a team would make next and the functions
 * `lci plan` must call affected by each: what "a first correct lci plan" means in the tests and in
 * bench/init.
 */

export interface InitFixture {
  name: string;
  tree: Tree;
  /** After `lci init`: the functions lambdas.yaml must hold (family members expanded), sorted. */
  functions: string[];
  /** Each commit after the one holding lambdas.yaml, and the functions it affects, sorted. */
  steps: { message: string; change: Tree; affected: string[] }[];
}

const PY = 'def handler(event, context):\n    return {"ok": True}\n';
const JS = 'exports.main = async () => ({ ok: true });\n';

export const SAM_APP: InitFixture = {
  name: 'sam-app',
  tree: {
    'template.yaml': `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: "shop: orders, users, invoices, reports and the web front"

Parameters:
  Stage:
    Type: String
    Default: qa
    AllowedValues: [qa, prod]

Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    Tracing: Active

Resources:
  LayersStack:
    Type: AWS::Serverless::Application
    Properties:
      Location: stacks/layers.yaml
      Parameters:
        Stage: !Ref Stage

  ApiStack:
    Type: AWS::Serverless::Application
    Properties:
      Location: stacks/api.json
      Parameters:
        Stage: !Ref Stage
        CommonLayerArn: !GetAtt LayersStack.Outputs.CommonLayerArn

  WebFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub shop-\${Stage}-web
      CodeUri: web/
      Handler: app.lambdaHandler
      Runtime: nodejs22.x
      Architectures: [x86_64]
      Events:
        Web:
          Type: HttpApi
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Minify: true
        Target: es2022
        Sourcemap: true
        EntryPoints:
          - app.ts

  ReportsDailyFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Join ["-", [shop, !Ref Stage, reports-daily]]
      CodeUri: reports/
      Handler: daily.handler
      Runtime: python3.12

  ReportsMonthlyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: reports/
      Handler: monthly.handler
      Runtime: python3.12

  HealthFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/health
      Code:
        ZipFile: |
          def handler(event, context):
              return "ok"

  ThumbnailFunction:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/thumbnail:1

  LegacyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://shop-builds/legacy-1.4.zip
      Handler: legacy.handler
      Runtime: python3.12

  RegionalFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: !Sub regional/\${AWS::Region}/
      Handler: app.handler
      Runtime: python3.12
`,
    'stacks/layers.yaml': `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
Resources:
  CommonLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: !Sub shop-\${Stage}-common
      ContentUri: ../layers/common/
      CompatibleRuntimes: [python3.12]
      CompatibleArchitectures: [arm64]
    Metadata:
      BuildMethod: python3.12
Outputs:
  CommonLayerArn:
    Value: !Ref CommonLayer
`,
    'stacks/api.json': `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Transform": "AWS::Serverless-2016-10-31",
  "Parameters": { "Stage": { "Type": "String" }, "CommonLayerArn": { "Type": "String" } },
  "Globals": {
    "Function": {
      "Runtime": "python3.12",
      "Architectures": ["arm64"],
      "Handler": "app.handler",
      "Layers": [{ "Ref": "CommonLayerArn" }]
    }
  },
  "Resources": {
    "OrdersFunction": {
      "Type": "AWS::Serverless::Function",
      "Properties": { "CodeUri": "../functions/orders/", "FunctionName": { "Fn::Sub": "shop-\${Stage}-orders" } }
    },
    "UsersFunction": {
      "Type": "AWS::Serverless::Function",
      "Properties": { "CodeUri": "../functions/users/", "FunctionName": { "Fn::Sub": "shop-\${Stage}-users" } }
    },
    "InvoicesFunction": {
      "Type": "AWS::Serverless::Function",
      "Properties": { "CodeUri": "../functions/invoices/", "FunctionName": { "Fn::Sub": "shop-\${Stage}-invoices" } }
    }
  }
}
`,
    'samconfig.toml': `version = 0.1
[default.deploy.parameters]
stack_name = "shop"
s3_bucket = "shop-sam-artifacts"
region = "eu-west-1"
capabilities = "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"
`,
    'functions/orders/app.py': PY,
    'functions/orders/requirements.txt': 'requests==2.32.3\n',
    'functions/users/app.py': PY,
    'functions/invoices/app.py': PY,
    'layers/common/requirements.txt': 'boto3==1.35.0\n',
    'reports/daily.py': PY,
    'reports/monthly.py': PY,
    'reports/requirements.txt': 'openpyxl==3.1.5\n',
    'web/app.ts': 'export const lambdaHandler = async (): Promise<{ statusCode: number }> => ({ statusCode: 200 });\n',
    'web/package.json': `${JSON.stringify(
      {
        name: 'web',
        private: true,
        dependencies: {},
        devDependencies: { esbuild: '0.24.0', typescript: '5.6.3' },
      },
      null,
      2,
    )}\n`,
    'web/package-lock.json': '{ "lockfileVersion": 3, "packages": {} }\n',
    'web/tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
    'README.md': '# shop\n',
  },
  functions: ['invoices', 'orders', 'reports-daily', 'reports-monthly', 'users', 'web'],
  steps: [
    {
      message: 'orders: round totals',
      change: { 'functions/orders/app.py': `${PY}# rounding\n` },
      affected: ['orders'],
    },
    {
      message: 'common layer: boto3 upgrade',
      change: { 'layers/common/requirements.txt': 'boto3==1.35.9\n' },
      affected: ['invoices', 'orders', 'users'],
    },
    {
      message: 'web: new route',
      change: { 'web/app.ts': '// route\nexport const lambdaHandler = async () => ({});\n' },
      affected: ['web'],
    },
    { message: 'new refunds function', change: { 'functions/refunds/app.py': PY }, affected: ['refunds'] },
    {
      message: 'reports: daily totals',
      change: { 'reports/daily.py': `${PY}# totals\n` },
      affected: ['reports-daily', 'reports-monthly'],
    },
    { message: 'docs', change: { 'README.md': '# shop\n\nmore\n' }, affected: [] },
  ],
};

export const SERVERLESS_SERVICE: InitFixture = {
  name: 'serverless-service',
  tree: {
    'services/shop/serverless.yml': `service: shop-api
frameworkVersion: "3"

plugins:
  - serverless-python-requirements

custom:
  pythonRequirements:
    dockerizePip: true

provider:
  name: aws
  runtime: python3.12
  architecture: arm64
  stage: \${opt:stage, 'dev'}
  region: eu-west-1
  deploymentBucket:
    name: shop-sls-artifacts
  layers:
    - Ref: CommonLambdaLayer

package:
  individually: true
  patterns:
    - "!tests/**"
    - "!node_modules/**"

functions:
  createOrder:
    handler: src/orders/create.handler
    events:
      - httpApi: "POST /orders"
  listOrders:
    handler: src/orders/list.handler
    events:
      - httpApi: "GET /orders"
  worker:
    handler: src/worker/main.handler
    package:
      patterns:
        - "!./**"
        - "src/worker/**"
  thumbnail:
    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/thumbnail:1
  legacy:
    handler: legacy.handler
    package:
      artifact: build/legacy.zip

layers:
  common:
    path: layers/common
    compatibleRuntimes:
      - python3.12
    compatibleArchitectures:
      - arm64
`,
    'services/shop/requirements.txt': 'pydantic==2.9.2\n',
    'services/shop/src/orders/create.py': PY,
    'services/shop/src/orders/list.py': PY,
    'services/shop/src/worker/main.py': PY,
    'services/shop/tests/test_orders.py': 'def test_x():\n    assert True\n',
    'services/shop/layers/common/requirements.txt': 'boto3==1.35.0\n',
    'services/shop/package.json': '{ "devDependencies": { "serverless-python-requirements": "6.1.1" } }\n',
    'docs/index.md': '# docs\n',
  },
  functions: ['create-order', 'list-orders', 'worker'],
  steps: [
    {
      message: 'orders: validate input',
      change: { 'services/shop/src/orders/create.py': `${PY}# validate\n` },
      affected: ['create-order', 'list-orders'],
    },
    {
      message: 'worker: retry',
      change: { 'services/shop/src/worker/main.py': `${PY}# retry\n` },
      affected: ['create-order', 'list-orders', 'worker'],
    },
    {
      message: 'tests only',
      change: { 'services/shop/tests/test_orders.py': 'def test_y():\n    pass\n' },
      affected: [],
    },
    {
      message: 'pin pydantic',
      change: { 'services/shop/requirements.txt': 'pydantic==2.9.3\n' },
      affected: ['create-order', 'list-orders', 'worker'],
    },
    { message: 'docs', change: { 'docs/index.md': '# docs\n\nmore\n' }, affected: [] },
  ],
};

export const TERRAFORM_MODULE: InitFixture = {
  name: 'terraform-module',
  tree: {
    'infra/main.tf': `terraform {
  required_providers {
    aws     = { source = "hashicorp/aws" }
    archive = { source = "hashicorp/archive" }
  }
}

provider "aws" {
  region = "eu-west-1"
}

variable "env" {
  type        = string
  description = "qa or prod"
}

variable "prefix" {
  type    = string
  default = "acme"
}

locals {
  src  = "\${path.module}/../src"
  jobs = ["billing", "shipping"]
}

# orders: an API function with the shared layer
data "archive_file" "orders" {
  type        = "zip"
  source_dir  = "\${local.src}/orders"
  output_path = "\${path.module}/build/orders.zip"
  excludes    = ["tests"]
}

resource "aws_lambda_function" "orders" {
  function_name    = "\${var.prefix}-orders-\${var.env}"
  filename         = data.archive_file.orders.output_path
  source_code_hash = data.archive_file.orders.output_base64sha256
  handler          = "app.handler"
  runtime          = "python3.12"
  role             = aws_iam_role.lambda.arn
  layers           = [aws_lambda_layer_version.common.arn]
}

// jobs: one function per directory
data "archive_file" "jobs" {
  for_each    = toset(local.jobs)
  type        = "zip"
  source_dir  = "\${local.src}/jobs/\${each.key}"
  output_path = "\${path.module}/build/\${each.key}.zip"
}

resource "aws_lambda_function" "jobs" {
  for_each      = toset(local.jobs)
  function_name = "\${var.prefix}-\${each.key}-\${var.env}"
  filename      = data.archive_file.jobs[each.key].output_path
  handler       = "handler.main"
  runtime       = "nodejs22.x"
  architectures = ["arm64"]
  role          = aws_iam_role.lambda.arn
}

/* the shared layer: committed files in the python/ layout */
data "archive_file" "common" {
  type        = "zip"
  source_dir  = "\${path.module}/../layers/common"
  output_path = "\${path.module}/build/common.zip"
}

resource "aws_lambda_layer_version" "common" {
  layer_name          = "\${var.prefix}-common-\${var.env}"
  filename            = data.archive_file.common.output_path
  compatible_runtimes = ["python3.12"]
}

# built by CI into dist/
resource "aws_lambda_function" "payments" {
  function_name = "payments-\${var.env}"
  filename      = "\${path.module}/../dist/payments.zip"
  handler       = "main.handler"
  runtime       = "python3.12"
  role          = aws_iam_role.lambda.arn
}

resource "aws_lambda_function" "resize" {
  function_name = "resize-\${var.env}"
  package_type  = "Image"
  image_uri     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/resize:3"
  role          = aws_iam_role.lambda.arn
}

module "reports" {
  source     = "./modules/lambda"
  name       = "reports"
  env        = var.env
  source_dir = "\${path.module}/../src/reports"
}

resource "aws_iam_role" "lambda" {
  name               = "lambda-\${var.env}"
  assume_role_policy = <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
EOF
}
`,
    'infra/modules/lambda/main.tf': `variable "name" {
  type = string
}

variable "env" {
  type = string
}

variable "source_dir" {
  type = string
}

data "archive_file" "this" {
  type        = "zip"
  source_dir  = var.source_dir
  output_path = "\${path.module}/build/\${var.name}.zip"
}

resource "aws_lambda_function" "this" {
  function_name = "\${var.name}-\${var.env}"
  filename      = data.archive_file.this.output_path
  handler       = "app.handler"
  runtime       = "python3.13"
  role          = "arn:aws:iam::123456789012:role/reports"
}
`,
    'src/orders/app.py': PY,
    'src/orders/requirements.txt': 'requests==2.32.3\n',
    'src/orders/tests/test_app.py': 'def test_x():\n    assert True\n',
    'src/jobs/billing/handler.js': JS,
    'src/jobs/shipping/handler.js': JS,
    'src/reports/app.py': PY,
    'layers/common/python/common/__init__.py': '',
    'layers/common/python/common/money.py': 'def cents(x):\n    return round(x * 100)\n',
    '.gitignore': 'infra/build/\ndist/\n',
  },
  functions: ['billing', 'orders', 'reports', 'shipping'],
  steps: [
    { message: 'orders: tax', change: { 'src/orders/app.py': `${PY}# tax\n` }, affected: ['orders'] },
    { message: 'orders tests', change: { 'src/orders/tests/test_app.py': 'def test_y():\n    pass\n' }, affected: [] },
    {
      message: 'common: money helper',
      change: { 'layers/common/python/common/money.py': 'def cents(x):\n    return int(round(x * 100))\n' },
      affected: ['orders'],
    },
    { message: 'new refunds job', change: { 'src/jobs/refunds/handler.js': JS }, affected: ['refunds'] },
    { message: 'reports: csv', change: { 'src/reports/app.py': `${PY}# csv\n` }, affected: ['reports'] },
  ],
};

export const INIT_FIXTURES = [SAM_APP, SERVERLESS_SERVICE, TERRAFORM_MODULE];
