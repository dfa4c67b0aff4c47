"""VOT TraX entry point: serve any registered SOT config + checkpoint to the VOT toolkit.

The VOT toolkit starts this script (see ``tools/vot/trackers.ini``) and speaks the TraX
protocol with it over stdin / stdout (or over a local TCP port when the toolkit sets
``TRAX_SOCKET``): ``initialize`` (image path + region) -> ``state`` (box), ``frame`` (image
path) -> ``state``, ..., ``quit``. The tracker receives rectangles ``x, y, w, h`` in pixels
(the client converts VOT polygons to their bounding boxes) and reports rectangles, with its
confidence as the property ``confidence``.

Two back ends speak the protocol:

* ``libtrax``: the official ``trax`` Python bindings (``pip install vot-trax``, a dependency of
  ``vot-toolkit``), used by default when they import;
* ``builtin``: a small implementation of TraX protocol version 3 (single object, ``path``
  images, ``rectangle`` regions, ``color`` channel) in this file, used otherwise. TraX
  clients of version 4 fall back to version 3 when the server announces it.

Examples::

    python tools/vot/procontext_trax.py configs/procontext/<config>.py work_dirs/ckpt.pth
    python tools/vot/procontext_trax.py CONFIG CKPT --backend builtin --device cuda:0

Everything the tracker prints goes to stderr: stdout carries the protocol only.
"""
import argparse
import os
import socket
import sys
import traceback
from typing import Dict, List, Optional, TextIO, Tuple

PREFIX = '@@TRAX:'
TRAX_VERSION = 3


class TraxProtocolError(RuntimeError):
    """The client sent something that is not a TraX message this server understands."""


# ---------------------------------------------------------------------- messages
def parse_message(line: str) -> Tuple[str, List[str]]:
    """Split a TraX line into its message name and arguments.

    Arguments are separated by blanks; a quoted argument may contain blanks and the escapes
    ``\\"`` and ``\\\\``.

    Args:
        line (str): One line, e.g. ``@@TRAX:frame "file:///data/00000002.jpg"``.

    Returns:
        tuple[str, list[str]]: message name (``hello``, ``initialize``, ``frame``, ``state``,
        ``quit``) and its unquoted arguments.

    Raises:
        TraxProtocolError: If the line has no ``@@TRAX:`` prefix or an open quote.
    """
    line = line.strip()
    if not line.startswith(PREFIX):
        raise TraxProtocolError(f'not a TraX message: {line!r}')
    tokens, current, quoted, escaped, started = [], [], False, False, False
    for char in line[len(PREFIX):]:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == '\\':
            escaped = True
        elif char == '"':
            quoted, started = not quoted, True
        elif char.isspace() and not quoted:
            if started or current:
                tokens.append(''.join(current))
            current, started = [], False
        else:
            current.append(char)
    if quoted:
        raise TraxProtocolError(f'unterminated quote in {line!r}')
    if started or current:
        tokens.append(''.join(current))
    if not tokens:
        raise TraxProtocolError(f'empty TraX message: {line!r}')
    return tokens[0], tokens[1:]


def format_message(name: str, arguments: List[str]) -> str:
    """``@@TRAX:<name> "<arg>" ...`` with quotes and backslashes escaped, newline-terminated."""
    quoted = ['"' + a.replace('\\', '\\\\').replace('"', '\\"') + '"' for a in arguments]
    return ' '.join([PREFIX + name] + quoted) + '\n'


def parse_properties(arguments: List[str]) -> Dict[str, str]:
    """``key=value`` arguments -> dict (arguments without ``=`` are ignored)."""
    return dict(a.split('=', 1) for a in arguments if '=' in a)


def parse_region_xywh(text: str) -> List[float]:
    """A TraX region -> its bounding box ``[x, y, w, h]`` in pixels.

    Accepts ``x,y,w,h`` rectangles and ``x1,y1,x2,y2,...`` polygons (3+ points).

    Raises:
        TraxProtocolError: On anything else (e.g. a mask ``m...``), naming the text.
    """
    try:
        values = [float(v) for v in text.split(',')]
    except ValueError:
        raise TraxProtocolError(f'region {text!r} is not a rectangle or polygon '
                                '(masks are not supported)') from None
    if len(values) == 4:
        return values
    if len(values) >= 6 and len(values) % 2 == 0:
        xs, ys = values[0::2], values[1::2]
        return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    raise TraxProtocolError(f'region {text!r} has {len(values)} values, expected 4 (x,y,w,h) '
                            'or a polygon')


def image_path(argument: str) -> str:
    """A TraX ``path`` image argument (``file:///abs/path.jpg`` or a plain path) -> path."""
    return argument[len('file://'):] if argument.startswith('file://') else argument


def format_region_xywh(bbox_xywh) -> str:
    return ','.join('%.4f' % float(v) for v in bbox_xywh)


# ---------------------------------------------------------------------- back ends
class Request:
    """One client request: ``kind`` (``initialize`` / ``frame`` / ``quit``), the frame's
    ``path``, the ``bbox_xywh`` of an ``initialize`` and the ``properties``."""

    def __init__(self, kind: str, path: Optional[str] = None,
                 bbox_xywh: Optional[List[float]] = None,
                 properties: Optional[Dict[str, str]] = None) -> None:
        self.kind, self.path, self.bbox_xywh = kind, path, bbox_xywh
        self.properties = properties or {}


class BuiltinTraxServer:
    """TraX version 3 server side over text streams (single object, path images, rectangles).

    Args:
        stream_in (TextIO): Where the client's messages arrive.
        stream_out (TextIO): Where the server's messages go.
        name (str): Tracker name sent in ``hello``.
    """

    def __init__(self, stream_in: TextIO, stream_out: TextIO, name: str) -> None:
        self.stream_in, self.stream_out = stream_in, stream_out
        self._send('hello', [f'trax.version={TRAX_VERSION}', f'trax.name={name}',
                             'trax.region=rectangle', 'trax.image=path', 'trax.channels=color'])

    def _send(self, name: str, arguments: List[str]) -> None:
        self.stream_out.write(format_message(name, arguments))
        self.stream_out.flush()

    def wait(self) -> Request:
        """Next request; end of input counts as ``quit``."""
        while True:
            line = self.stream_in.readline()
            if not line:
                return Request('quit')
            if line.strip():
                break
        name, arguments = parse_message(line)
        if name == 'quit':
            return Request('quit', properties=parse_properties(arguments))
        if name == 'initialize':
            if len(arguments) < 2:
                raise TraxProtocolError(f'initialize needs an image and a region: {line!r}')
            return Request('initialize', image_path(arguments[0]),
                           parse_region_xywh(arguments[1]), parse_properties(arguments[2:]))
        if name == 'frame':
            if not arguments:
                raise TraxProtocolError(f'frame needs an image: {line!r}')
            return Request('frame', image_path(arguments[0]),
                           properties=parse_properties(arguments[1:]))
        raise TraxProtocolError(f'unexpected message {name!r} from the client: {line!r}')

    def status(self, bbox_xywh, properties: Dict[str, str]) -> None:
        """Reply to an ``initialize`` / ``frame`` with the tracker's box."""
        self._send('state', [format_region_xywh(bbox_xywh)]
                   + [f'{k}={v}' for k, v in properties.items()])

    def quit(self, reason: Optional[str] = None) -> None:
        self._send('quit', [] if reason is None else [f'trax.reason={reason}'])


class LibtraxServer:
    """The same interface over the official ``trax`` bindings (libtrax)."""

    def __init__(self, name: str) -> None:
        from trax.image import Image
        from trax.region import Region
        from trax.server import Server
        self._server = Server([Region.RECTANGLE], [Image.PATH], ['color'], tracker_name=name)

    def wait(self) -> Request:
        from trax import TraxStatus
        request = self._server.wait()
        properties = request.properties.dict() if request.properties is not None else {}
        if request.type == TraxStatus.QUIT:
            return Request('quit', properties=properties)
        path = request.image['color'].path()
        if request.type != TraxStatus.INITIALIZE:
            return Request('frame', path, properties=properties)
        region = request.objects[0][0]
        if hasattr(region, 'bounds'):
            bbox_xywh = list(region.bounds())
        else:  # a polygon: iterate its points
            bbox_xywh = parse_region_xywh(','.join(f'{x},{y}' for x, y in region))
        return Request('initialize', path, bbox_xywh, properties)

    def status(self, bbox_xywh, properties: Dict[str, str]) -> None:
        from trax.region import Rectangle
        self._server.status([(Rectangle.create(*[float(v) for v in bbox_xywh]), {})],
                            properties)

    def quit(self, reason: Optional[str] = None) -> None:
        self._server.quit(reason)


def libtrax_available() -> bool:
    try:
        import trax.server  # noqa: F401
        return True
    except (ImportError, OSError):  # OSError: the shared library does not load
        return False


def _socket_streams() -> Optional[Tuple[TextIO, TextIO]]:
    """Streams of the client's TCP port when the toolkit asks for a socket (``TRAX_SOCKET``)."""
    address = os.environ.get('TRAX_SOCKET')
    if not address:
        return None
    host, _, port = address.rpartition(':')
    connection = socket.create_connection((host or '127.0.0.1', int(port)), timeout=30)
    connection.settimeout(None)
    return (connection.makefile('r', encoding='utf-8', newline='\n'),
            connection.makefile('w', encoding='utf-8', newline='\n'))


def make_server(backend: str, name: str, protocol_out: TextIO):
    """``auto``: libtrax when it imports, else the built-in protocol (on ``TRAX_SOCKET`` if
    set, else on stdin / ``protocol_out``)."""
    if backend == 'auto':
        backend = 'libtrax' if libtrax_available() else 'builtin'
    if backend == 'libtrax':
        return LibtraxServer(name)
    streams = _socket_streams() or (sys.stdin, protocol_out)
    return BuiltinTraxServer(streams[0], streams[1], name)


# ---------------------------------------------------------------------- tracking
def serve(server, adapter) -> int:
    """Answer requests until ``quit``: read each frame (BGR), run the tracker, reply.

    Returns:
        int: exit status, 0 after a ``quit`` from the client.
    """
    import mmcv
    while True:
        request = server.wait()
        if request.kind == 'quit':
            return 0
        image = mmcv.imread(request.path, channel_order='bgr')
        if image is None:
            raise FileNotFoundError(f'cannot read the frame {request.path}')
        if request.kind == 'initialize':
            adapter.initialize_xywh(image, request.bbox_xywh)
            bbox_xywh, score = request.bbox_xywh, 1.0
        else:
            bbox_xywh, score = adapter.track_xywh(image)
        server.status(bbox_xywh, {'confidence': '%.6f' % score})


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config file of the tracker')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint (default: none)')
    parser.add_argument('--device', default='cpu', help='device, e.g. cpu or cuda:0')
    parser.add_argument('--backend', choices=('auto', 'libtrax', 'builtin'), default='auto',
                        help='TraX implementation (default: libtrax if installed)')
    parser.add_argument('--name', default='procontext_mm', help='tracker name sent to the client')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    # The protocol owns stdout: whatever is printed while building or running the tracker goes
    # to stderr (loggers created from here on bind to sys.stdout, i.e. stderr).
    protocol_out, sys.stdout = sys.stdout, sys.stderr
    try:
        args = parse_args(argv)
        from procontext_mm.apis.adapters import SOTAdapter
        adapter = SOTAdapter(args.config, args.checkpoint, args.device, args.cfg_options)
        server = make_server(args.backend, args.name, protocol_out)
        try:
            return serve(server, adapter)
        except Exception as error:  # report to the client, then fail loudly
            traceback.print_exc(file=sys.stderr)
            try:
                server.quit(f'{type(error).__name__}: {error}')
            except Exception:  # the connection itself may be gone
                pass
            return 1
    finally:
        sys.stdout = protocol_out


if __name__ == '__main__':
    sys.exit(main())
