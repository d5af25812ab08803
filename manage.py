#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys


def main():
    from modsite.settings.env import use_settings_module

    use_settings_module("modsite.settings.dev")  # also when set but empty
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
