"""The one resolver: what did the user mean by this petition, seat or MP?"""
