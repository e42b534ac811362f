"""A Docker engine in a QEMU VM, for machines where dockerd cannot run.

``labcheck engine build`` assembles the VM from Debian packages without
privileges (:mod:`.build`); ``labcheck engine start | stop | status | env``
runs it (:mod:`.qemu`). Everything lives in the user's cache folder
(:mod:`.paths`).
"""
