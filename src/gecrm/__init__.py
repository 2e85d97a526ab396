"""gecrm: the Government & Enterprise customer marketing-and-service platform."""
