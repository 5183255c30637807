"""What the tests and `make bench` share: personas, socket clients and real
server processes. Neither imports the other; both import this.

Modules that touch the ORM (`personas`, the in-process half of `sockets`)
need Django set up; `processes` and the real-socket client do not.
"""
