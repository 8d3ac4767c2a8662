"""The CCash bank on the chain: rules and view, passwords, the executor, the service, saves."""
