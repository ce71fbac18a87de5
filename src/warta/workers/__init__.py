"""Translation workers: the job queue and the claim -> translate -> record loop."""
