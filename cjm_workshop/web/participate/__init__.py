"""The participant's side: joining from a phone and the workshop brief."""
