"""What the designer offers: direct mechanisms, Groves/VCG, AGV."""
