"""
lci invoke --local: runs one invocation of a Python handler the way a Lambda Python runtime
loads it, inside the function's build image. Mounted read-only at /var/runtime/python.

  /var/task        the code zip, unpacked
  /opt             the layer zip, unpacked (python/ and python/lib/pythonX.Y/site-packages on sys.path)
  /var/lci-io      event.json in; result.json out: {"status": "success", "payload": "<json>"}
                   or {"status": "error", "error": {errorMessage, errorType, stackTrace}}

The handler string is resolved as Lambda does: "pkg/mod.func" and "pkg.mod.func" import the module
pkg.mod from /var/task (then the layer) and take its attribute func. What the function prints is the
log, on stdout and stderr as in Lambda.
"""

import importlib
import json
import os
import sys
import time
import traceback
import uuid

IO = "/var/lci-io"


def fault(error_type, message, trace=None):
    return {"errorMessage": message, "errorType": error_type, "stackTrace": trace or []}


def load_handler(handler):
    if "." not in handler:
        return None, fault("Runtime.MalformedHandlerName", "Bad handler '{}': not enough values to unpack (expected 2, got 1)".format(handler))
    module_name, attr = handler.rsplit(".", 1)
    module_name = module_name.replace("/", ".")
    if module_name.split(".")[0] in sys.builtin_module_names:
        return None, fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module {} as a handler module".format(module_name))
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        return None, fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(module_name, e))
    except SyntaxError as e:
        return None, fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(module_name, e))
    except Exception as e:
        return None, fault(type(e).__name__, str(e), traceback.format_list(user_frames(sys.exc_info()[2])))
    fn = getattr(module, attr, None)
    if fn is None:
        return None, fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(attr, module_name))
    return fn, None


def user_frames(tb):
    frames = traceback.extract_tb(tb)
    return [f for f in frames if not f.filename.startswith("/var/runtime/")]


class Context(object):
    def __init__(self, request_id, deadline_ms):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.invoked_function_arn = "arn:aws:lambda:{}:000000000000:function:{}".format(os.environ.get("AWS_REGION", "local"), self.function_name)
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = None
        self.identity = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def finish(result):
    sys.stdout.flush()
    sys.stderr.flush()
    with open(os.path.join(IO, "result.json"), "w") as f:
        json.dump(result, f)
    os._exit(0)


def main():
    version = os.environ.get("LCI_PYTHON_VERSION", "")
    site = "/opt/python/lib/python{}/site-packages".format(version)
    rest = [p for p in sys.path if p not in ("", "/var/runtime/python")]
    sys.path[:] = ["/var/task", "/opt/python", site] + rest
    os.chdir("/var/task")
    request_id = str(uuid.uuid4())
    print("START RequestId: {} Version: {}".format(request_id, os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")), flush=True)
    handler, error = load_handler(os.environ["_HANDLER"])
    if error is not None:
        print("[ERROR] {}: {}".format(error["errorType"], error["errorMessage"]), flush=True)
        finish({"status": "error", "error": error})
    with open(os.path.join(IO, "event.json")) as f:
        event = json.load(f)
    context = Context(request_id, int(time.time() * 1000) + int(os.environ.get("LCI_TIMEOUT_MS", "900000")))
    try:
        response = handler(event, context)
        payload = json.dumps(response)
        result = {"status": "success", "payload": payload}
    except Exception as e:
        error = fault(type(e).__name__, str(e), traceback.format_list(user_frames(sys.exc_info()[2])))
        print("[ERROR] {}: {}".format(error["errorType"], error["errorMessage"]), flush=True)
        print("".join(error["stackTrace"]), end="", flush=True)
        result = {"status": "error", "error": error}
    print("END RequestId: {}".format(request_id), flush=True)
    finish(result)


main()
