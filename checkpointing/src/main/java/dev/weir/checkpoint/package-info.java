package dev.weir.checkpoint;
