"""`tandem eval`: measure the knowledge service the worker runs against suites in the shared suite format."""
