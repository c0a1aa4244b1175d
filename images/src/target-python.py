"""target-python: a slim Python target for remote debugging with debugpy (lambda-cntr debug
--debugpy). It handles a "request" every 200 ms, so a breakpoint in handle() is hit within a
moment; the line marked "# breakpoint here" is the one the end-to-end test stops at. Exits 0 on
SIGTERM (as PID 1 too)."""

import signal
import sys
import time

handled = 0


def handle(number):
    global handled
    greeting = "hello from target-python"
    handled = number  # breakpoint here
    return len(greeting) + number


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("target-python: handling a request every 200 ms", flush=True)
    number = 0
    while True:
        number += 1
        handle(number)
        time.sleep(0.2)


if __name__ == "__main__":
    main()
