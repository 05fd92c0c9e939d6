"""The nightly check after the switch (issue 19): is what was migrated still there, unchanged."""
