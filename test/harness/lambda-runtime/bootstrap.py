"""
The Lambda stand-in's Python runtime, mounted read-only at /var/runtime/bootstrap.py as Lambda's
own bootstrap is. One process serves one invocation: it imports the handler the way awslambdaric
does (module path with dots, the same Runtime.* faults and messages), calls it with the event and a
context like LambdaContext, and writes the outcome to /var/lci-io/result.json. The function's
stdout and stderr stay what they are in Lambda: the log.

Protocol with the stand-in (instead of the Runtime API):
  /var/lci-io/invoke.json   requestId, invokedFunctionArn, timeoutMs, clientContext, pythonVersion
  /var/lci-io/event.json    the payload
  /var/lci-io/started       written when the handler is called: {"at": epoch ms, "maxMemoryMB"}
  /var/lci-io/result.json   {"status": "success", "payload"} or {"status": "error", "error"}, with timings
  stdout line MARKER         where the init phase ends and the invoke phase starts
"""

import decimal
import importlib
import json
import logging
import os
import resource
import site
import sys
import time
import traceback

IO = "/var/lci-io"
MARKER = "\x00lci-invoke\x00\n"
ERROR_LOG_IDENT = "\u00a0"


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"

    def __init__(self, exception_type, msg, trace=None):
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


def _get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        m = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(FaultException.IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, str(e)))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(FaultException.USER_CODE_SYNTAX_ERROR, "Syntax error in module '{}': {}".format(modname, str(e)), trace)
    try:
        return getattr(m, fname)
    except AttributeError:
        raise FaultException(FaultException.HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname), None)


def make_error(error_message, error_type, stack_trace, invoke_id=None):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _user_frames(tb):
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i in range(len(frames)):
        if "/bootstrap.py" not in frames[i][0]:
            return frames[i:]
    return frames


def build_fault_result(exc_info, invoke_id=None):
    etype, value, tb = exc_info
    return make_error(str(value), etype.__name__, traceback.format_list(_user_frames(tb)), invoke_id)


def _replace_indentation(line):
    count = len(line) - len(line.lstrip(" "))
    return ERROR_LOG_IDENT * count + line[count:]


def log_error(error_result):
    """As awslambdaric logs an error in text format: one log event, lines indented with no-break spaces."""
    description = "[ERROR]"
    if error_result.get("errorType"):
        description += " " + error_result["errorType"]
    if error_result.get("errorMessage"):
        if error_result.get("errorType"):
            description += ":"
        description += " " + error_result["errorMessage"]
    lines = [description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
            else:
                lines.extend(_replace_indentation(l) for l in element.splitlines())
    sys.stdout.write("\n".join(lines) + "\n")


class Unbuffered(object):
    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        self.stream.write(msg)
        self.stream.flush()

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


_REQUEST_ID = None


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _REQUEST_ID or ""
        return True


class LambdaLoggerHandler(logging.Handler):
    def emit(self, record):
        sys.stdout.write(self.format(record))


def _setup_logging():
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.setFormatter(
        logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S")
    )
    handler.addFilter(LambdaLoggerFilter())
    logging.getLogger().addHandler(handler)


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


def _obj(cls, values):
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field, None))
    return obj


class LambdaContext(object):
    def __init__(self, invoke_id, client_context, deadline_ms, invoked_function_arn):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.client_context = _obj(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _obj(Client, self.client_context.client)
        self.identity = _obj(CognitoIdentity, {})
        self._epoch_deadline_time_in_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        delta = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return delta if delta > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))


class _Encoder(json.JSONEncoder):
    """awslambdaric's marshaller: Decimals become numbers."""

    def default(self, obj):
        if isinstance(obj, decimal.Decimal):
            return int(obj) if obj == obj.to_integral_value() else float(obj)
        return json.JSONEncoder.default(self, obj)


def _max_memory_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _write(name, value):
    path = os.path.join(IO, name)
    with open(path + ".tmp", "w") as f:
        json.dump(value, f)
    os.rename(path + ".tmp", path)


def _finish(result):
    sys.stdout.flush()
    sys.stderr.flush()
    _write("result.json", result)
    # Lambda freezes the environment once the result is posted; threads left running do not hold it.
    os._exit(0)


def _set_path(python_version):
    """sys.path as in a Lambda Python runtime: the task, the layers' site directory and /opt/python, then the runtime."""
    site_dir = "/opt/python/lib/python{}/site-packages".format(python_version)
    rest = [p for p in sys.path if p not in ("", "/var/runtime")]
    sys.path[:] = ["/var/task", site_dir, "/opt/python", "/var/runtime"] + rest
    if os.path.isdir(site_dir):
        site.addsitedir(site_dir)  # .pth files, as for a site directory


def main():
    global _REQUEST_ID
    with open(os.path.join(IO, "invoke.json")) as f:
        invoke = json.load(f)
    _set_path(invoke["pythonVersion"])
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    _setup_logging()
    os.chdir("/var/task")

    init_start = time.time()
    handler = init_error = None
    try:
        handler = _get_handler(os.environ["_HANDLER"])
    except FaultException as e:
        init_error = make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        init_error = build_fault_result(sys.exc_info())
    init_ms = (time.time() - init_start) * 1000
    if init_error is not None:
        log_error(init_error)
        _finish({"status": "error", "phase": "init", "error": init_error, "initDurationMs": init_ms, "durationMs": 0, "maxMemoryMB": _max_memory_mb()})

    request_id = invoke["requestId"]
    _REQUEST_ID = request_id
    sys.stdout.write(MARKER)
    with open(os.path.join(IO, "event.json"), "rb") as f:
        body = f.read()
    start = time.time()
    deadline_ms = int(start * 1000) + int(invoke["timeoutMs"])
    _write("started", {"at": int(start * 1000), "maxMemoryMB": _max_memory_mb()})
    try:
        context = LambdaContext(request_id, invoke.get("clientContext"), deadline_ms, invoke["invokedFunctionArn"])
        event = json.loads(body)
        response = handler(event, context)
        try:
            payload = json.dumps(response, cls=_Encoder)
        except Exception as e:
            raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)), None)
        result = {"status": "success", "payload": payload}
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace, request_id)
        log_error(error)
        result = {"status": "error", "error": error}
    except Exception:
        error = build_fault_result(sys.exc_info(), request_id)
        log_error(error)
        result = {"status": "error", "error": error}
    result.update({"durationMs": (time.time() - start) * 1000, "initDurationMs": init_ms, "maxMemoryMB": _max_memory_mb()})
    _finish(result)


main()
