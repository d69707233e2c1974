# -*- coding: utf-8 -*-
# Copyright: kvmprep contributors
# SPDX-License-Identifier: MIT
"""Documentation every kvmprep.host module shares (extends_documentation_fragment).

The options here are the ones module_utils/kvmprep.py adds to a module's
argument spec (COMMON_OPTIONS), so the two cannot drift apart:
validate-modules compares them.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):

    # kvmprep.host.tool: the modules that change the host through a tool's
    # --dry-run and --json
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    support: full
    description: The tool's C(--dry-run); nothing on the host changes.
  diff_mode:
    support: full
    description: What the tool's document says before and after.
author:
  - kvmprep contributors (@kvmprep)
'''

    # kvmprep.host.tool.lock_wait: tools that take kvmprep's lock with a bounded wait
    LOCK_WAIT = r'''
options:
  lock_wait:
    description: Seconds to wait for another kvmprep run's lock (C(--wait)).
    type: int
'''
