"""The one-shot month-end switch: a runbook of steps checkpointed in the target.

``runbook.py`` knows the order of the steps and runs, resumes and rolls them back;
``journal.py`` keeps their checkpoints, ``lock.py`` the lock against a second process,
``legacy.py`` closes and reopens the legacy month, ``saved.py`` keeps the target's rows to
roll back to, ``opening.py`` opens the next month, ``protocol*.py`` write the protocol.
"""
