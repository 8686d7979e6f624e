"""The push path: network events -> snapshot -> shared LiveState -> every open tab."""
