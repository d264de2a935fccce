"""The toolchain on top of the pipeline: build, check, import hook, watch, config, CLI.

Drives the compiler and the hashing to produce built modules and the lockfile.
May import anything in desync; nothing below it (compiler, runtime, hashing) imports it.
"""
