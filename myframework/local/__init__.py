"""Running an app on your machine: the dev server's helpers (worker pool for tasks...)."""
