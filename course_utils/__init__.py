"""Helpers shared by the RNN/LSTM/GRU assignments (gradient checking and friends)."""
