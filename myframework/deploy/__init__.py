"""Deploy side: packaging, IaC, deploy. Never imported by the runtime."""
