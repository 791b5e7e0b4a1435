"""kolscope's Flask backend: receives captures, stores creators and history, serves scores."""
