"""Start the report's kernel with every socket on IPC: ``python -m analysis.kernel -f FILE``.

ipykernel binds the channels its connection file names (IPC sockets, for ``analysis build``), but
it also listens on a TCP port of 127.0.0.1 for output from processes the kernel forks (its
IOPub "pipe"). This launcher moves that pipe to an IPC socket beside the kernel's others, so the
kernel opens no TCP port at all. `analysis.build` starts kernels through it.
"""

from __future__ import annotations

import os

import zmq
from ipykernel import iostream
from ipykernel.kernelapp import IPKernelApp
from zmq.eventloop.zmqstream import ZMQStream


def _pipe_address() -> str:
    app = IPKernelApp.instance()
    if app.transport != "ipc":  # a TCP kernel keeps ipykernel's own pipe
        raise RuntimeError("analysis.kernel expects an IPC connection file")
    return f"ipc://{app.ip}-iopub-pipe"


def _setup_pipe_in(self: iostream.IOPubThread) -> None:
    """Listen for forked processes' output on an IPC socket (ipykernel: TCP on 127.0.0.1)."""
    self._pipe_uuid = os.urandom(16)
    self._pipe_address = _pipe_address()
    pipe_in = self.socket.context.socket(zmq.PULL)
    pipe_in.linger = 0
    pipe_in.bind(self._pipe_address)
    self._pipe_in = ZMQStream(pipe_in, self.io_loop)
    self._pipe_in.on_recv(self._handle_pipe_msg)


def _setup_pipe_out(self: iostream.IOPubThread) -> tuple[zmq.Context, zmq.Socket]:
    """Connect a forked process's output to the IPC pipe."""
    context = zmq.Context()  # a new context after a fork
    pipe_out = context.socket(zmq.PUSH)
    pipe_out.linger = 3000
    pipe_out.connect(self._pipe_address)
    return context, pipe_out


def main() -> None:
    """Launch the kernel with the IOPub pipe on IPC."""
    iostream.IOPubThread._setup_pipe_in = _setup_pipe_in
    iostream.IOPubThread._setup_pipe_out = _setup_pipe_out
    IPKernelApp.launch_instance()


if __name__ == "__main__":
    main()
