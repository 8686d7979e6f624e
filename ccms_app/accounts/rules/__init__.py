"""Pure account rules: permissions, roles, passwords, licences, login back-off."""
